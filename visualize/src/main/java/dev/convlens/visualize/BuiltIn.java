package dev.convlens.visualize;

import dev.convlens.bridge.InvalidInputException;
import dev.convlens.bridge.applications.MobileNet;
import dev.convlens.bridge.applications.Vgg16;
import dev.convlens.bridge.applications.WeightFile;
import dev.convlens.bridge.image.Preprocessing;
import java.nio.file.Path;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * A Keras Applications ImageNet classifier with what it needs to be fed: its architecture, its
 * preprocessing mode (VGG16 {@code caffe}, MobileNet {@code tf}) and where its weights come from
 * (the Keras cache, where Keras keeps them, unless a file is given). Immutable.
 *
 * <pre>{@code
 * ImageClassifier.builtIn(BuiltIn.mobileNet(0.25, 128).withWeights(Path.of("mobilenet_2_5_128_tf.h5")))
 * }</pre>
 */
public final class BuiltIn {
  private final String name;
  private final String config;
  private final Preprocessing preprocessing;
  private final Optional<WeightFile> official;
  private final @Nullable Path weights;

  private BuiltIn(String name, String config, Preprocessing preprocessing, Optional<WeightFile> official,
      @Nullable Path weights) {
    this.name = name;
    this.config = config;
    this.preprocessing = preprocessing;
    this.official = official;
    this.weights = weights;
  }

  /** VGG16 at 224x224 with its 1000-class top. */
  public static BuiltIn vgg16() {
    Vgg16.Options o = Vgg16.Options.defaults();
    return new BuiltIn("vgg16", o.config(), Preprocessing.CAFFE, o.weightFile(), null);
  }

  /** MobileNet v1, alpha 1.0, 224x224, with its 1000-class top. */
  public static BuiltIn mobileNet() {
    return mobileNet(1.0, 224);
  }

  /** MobileNet v1 with width multiplier {@code alpha} (0.25, 0.5, 0.75, 1.0) at {@code size} (128, 160, 192, 224). */
  public static BuiltIn mobileNet(double alpha, int size) {
    MobileNet.Options o = MobileNet.Options.defaults().withAlpha(alpha).withInputSize(size);
    return new BuiltIn("mobilenet_" + alpha + "_" + size, o.config(), Preprocessing.TF, o.weightFile(), null);
  }

  /** The same architecture with weights from {@code file} (a Keras HDF5 weight file) instead of the Keras cache. */
  public BuiltIn withWeights(Path file) {
    InvalidInputException.requireNonNull(file, "file");
    return new BuiltIn(name, config, preprocessing, official, file);
  }

  public String name() {
    return name;
  }

  public Preprocessing preprocessing() {
    return preprocessing;
  }

  String config() {
    return config;
  }

  /** The official weight file Keras downloads for it. */
  Optional<WeightFile> officialWeights() {
    return official;
  }

  /** The file given with {@link #withWeights}, or null. */
  @Nullable Path weights() {
    return weights;
  }

  @Override
  public String toString() {
    return name + (weights != null ? " (weights " + weights + ")" : "");
  }
}
