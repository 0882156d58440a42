package dev.convlens.cli.demo;

import dev.convlens.bridge.FloatTensor;
import dev.convlens.bridge.KerasModel;
import dev.convlens.bridge.LoadOptions;
import dev.convlens.bridge.image.ModelCard;
import dev.convlens.bridge.image.Preprocessing;
import dev.convlens.finetune.data.DatasetOptions;
import dev.convlens.finetune.data.ImageDataset;
import dev.convlens.finetune.data.LabelMode;
import dev.convlens.finetune.training.Classifier;
import dev.convlens.finetune.training.Evaluation;
import dev.convlens.finetune.training.History;
import dev.convlens.finetune.training.Optimizer;
import dev.convlens.finetune.training.Phase;
import dev.convlens.finetune.training.Trainable;
import dev.convlens.finetune.training.TrainingListener;
import dev.convlens.visualize.cam.CamExplainer;
import dev.convlens.visualize.cam.CamOptions;
import dev.convlens.visualize.cam.Heatmap;
import java.awt.Rectangle;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

/**
 * The embedded demo model: a small convnet ({@code shapes-model.json}: Rescaling(1/255), conv 16,
 * pool, conv 32, pool, conv 64, conv 64 at 16x16, global max pooling, Dense(4, softmax)),
 * trained from Keras-default random weights on {@link Shapes} with Adam (8 epochs of 4000 images,
 * about 1.5 minutes on 2 cores). The last conv layer keeps 16x16 cells (4 pixels each) so that its
 * class activation maps can point at the object. Global max pooling rather than average: with the
 * average, the object's few cells are diluted by the textured background and training sat at
 * chance (loss ln 4) for 6 epochs; with the max it reaches 0.95 validation accuracy in 3.
 * Everything is seeded: the same seed gives the same weights.
 */
public final class DemoModel {
  /** The layer Grad-CAM explains (the last conv layer). */
  public static final String CAM_LAYER = "conv4";
  public static final int TRAIN_IMAGES = 4000;
  public static final int VALIDATION_IMAGES = 400;
  public static final int EPOCHS = 8;
  public static final double LEARNING_RATE = 1e-3;
  public static final int BATCH_SIZE = 32;
  /** Held-out images come from this seed (never used for training). */
  public static final long HELD_OUT_SEED = 20_240_601L;

  private DemoModel() {}

  /** Where the demo model is committed, relative to the repository root. */
  public static final Path DIRECTORY = Path.of("saved_models", "shapes");

  /**
   * The demo model: under the convlens folder (system property {@code convlens.home}, else the
   * launcher's {@code CONVLENS_HOME}), else under the working directory.
   */
  public static Path installed() {
    String home = System.getProperty("convlens.home", System.getenv("CONVLENS_HOME"));
    if (home != null && Files.isDirectory(Path.of(home).resolve(DIRECTORY))) {
      return Path.of(home).resolve(DIRECTORY);
    }
    return DIRECTORY;
  }

  /** The untrained network's Keras config (JSON text). */
  public static String config() {
    try (InputStream in = DemoModel.class.getResourceAsStream("shapes-model.json")) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the bundled shapes-model.json", e);
    }
  }

  /** {@code count} generated images starting at {@code first}, as a categorical dataset. */
  public static ImageDataset dataset(long seed, int first, int count, boolean shuffle, long shuffleSeed) {
    DatasetOptions options = DatasetOptions.of(Shapes.SIZE, Shapes.SIZE, Preprocessing.NONE)
        .withLabelMode(LabelMode.CATEGORICAL).withBatchSize(BATCH_SIZE).withShuffle(shuffle).withSeed(shuffleSeed);
    int[] labels = IntStream.range(first, first + count).map(i -> i % Shapes.CLASSES.size()).toArray();
    return ImageDataset.fromImages(Shapes.CLASSES, labels, i -> Shapes.sample(seed, first + i).image(), options);
  }

  /** Result of {@link #train}: the trained classifier (caller closes it) and its numbers. */
  public record Trained(Classifier classifier, History history, Evaluation validation) {}

  /**
   * Trains the demo network from {@code seed}: weights, training images (0..3999) and validation
   * images (4000..4399) of the dataset with that seed, shuffling.
   */
  public static Trained train(long seed, TrainingListener listener) {
    ImageDataset train = dataset(seed, 0, TRAIN_IMAGES, true, seed);
    ImageDataset validation = dataset(seed, TRAIN_IMAGES, VALIDATION_IMAGES, false, seed);
    KerasModel model = KerasModel.fromConfig(config(), LoadOptions.defaults().withRandomWeights(seed));
    Classifier c;
    try {
      c = Classifier.of(model);
    } catch (RuntimeException e) {
      model.close();
      throw e;
    }
    try {
      Phase phase = Phase.of("train", Trainable.all(), Optimizer.adam(LEARNING_RATE), EPOCHS).withSeed(seed)
          .withCachePrefix(false);
      History h = c.fit(train, validation, phase, listener);
      return new Trained(c, h, c.evaluate(validation));
    } catch (RuntimeException e) {
      c.close();
      throw e;
    }
  }

  /**
   * How a model does on {@code images} held-out samples (seed {@link #HELD_OUT_SEED}): top-1
   * accuracy, and the fraction of images whose Grad-CAM (the book's, on {@link #CAM_LAYER}, for the
   * top-1 class) has its maximum, upsampled to the image, inside the object's box.
   */
  public record HeldOut(int images, double accuracy, double camInBox) {}

  /** Measures {@link HeldOut} for {@code model} (the demo network or one loaded from its export). */
  public static HeldOut heldOut(KerasModel model, int images) {
    CamExplainer cam = CamExplainer.of(model, CamOptions.defaults().withLayer(CAM_LAYER));
    int correct = 0;
    int inBox = 0;
    int batch = 50;
    for (int from = 0; from < images; from += batch) {
      int n = Math.min(batch, images - from);
      List<Shapes.Sample> samples = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        samples.add(Shapes.sample(HELD_OUT_SEED, from + i));
      }
      List<Heatmap> maps = cam.explain(FloatTensor.stack(samples.stream().map(Shapes.Sample::image).toList()));
      for (int i = 0; i < n; i++) {
        Shapes.Sample s = samples.get(i);
        Heatmap h = maps.get(i);
        correct += h.classIndex() == s.label() ? 1 : 0;
        inBox += !h.degenerate() && maxInside(h.upsampled(Shapes.SIZE, Shapes.SIZE).data(), s.box()) ? 1 : 0;
      }
    }
    return new HeldOut(images, correct / (double) images, inBox / (double) images);
  }

  /** Whether the position of the largest value of a {@code 64x64} map lies in {@code box}. */
  static boolean maxInside(float[] map, Rectangle box) {
    int best = 0;
    for (int i = 1; i < map.length; i++) {
      if (map[i] > map[best]) {
        best = i;
      }
    }
    return box.contains(best % Shapes.SIZE, best / Shapes.SIZE);
  }

  /** Trains from {@code seed} and exports the SavedModel to {@code out}; returns its numbers. */
  public static Built build(long seed, Path out, TrainingListener listener) throws IOException {
    Trained t = train(seed, listener);
    try (Classifier c = t.classifier()) {
      c.exportSavedModel(out);
      Files.write(out.resolve("labels.txt"), Shapes.CLASSES); // class names for predict/report
      // the model rescales inside, so it takes raw 0..255 pixels
      new ModelCard("demo-shapes", Preprocessing.NONE, "categorical", Shapes.CLASSES, Shapes.SIZE, Shapes.SIZE)
          .writeTo(out);
      return new Built(t.validation(), heldOut(c.model(), 200));
    }
  }

  /** Numbers of a built model: validation during training, and {@link #heldOut} on 200 images. */
  public record Built(Evaluation validation, HeldOut heldOut) {}
}
