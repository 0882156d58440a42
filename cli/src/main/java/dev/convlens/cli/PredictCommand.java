package dev.convlens.cli;

import dev.convlens.bridge.ConvlensException;
import dev.convlens.bridge.FloatTensor;
import dev.convlens.bridge.KerasModel;
import dev.convlens.bridge.image.ClassNames;
import dev.convlens.bridge.image.ColorMode;
import dev.convlens.bridge.image.KerasImages;
import dev.convlens.bridge.image.Prediction;
import dev.convlens.bridge.image.Preprocessing;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "predict", mixinStandardHelpOptions = true,
    description = "Classify an image and print the top predictions, e.g. '1. African_elephant (386) 0.9094';"
        + " or feed any model an array (--input x.npy).")
final class PredictCommand implements Callable<Integer> {
  @Mixin
  ModelOptions model;

  @Mixin
  InputOptions inputs;

  @ArgGroup(exclusive = true, multiplicity = "1")
  Source source;

  /** An image for image models, or an array for any model. */
  static final class Source {
    @Option(names = "--image", paramLabel = "FILE", description = "The image (JPEG, PNG, BMP, GIF).")
    @Nullable Path image;

    @Option(names = "--input", paramLabel = "[NAME=]FILE.npy",
        description = "A NumPy array fed as is (no preprocessing): one sample, or a batch, of the model's input shape;"
            + " for a model with several inputs, once per input as NAME=FILE.npy.")
    @Nullable List<String> arrays;
  }

  @Option(names = "--top", defaultValue = "3", description = "How many classes to print (default ${DEFAULT-VALUE}).")
  int top;

  @Spec
  picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    if (top < 1) {
      throw new IllegalArgumentException("--top must be at least 1, got " + top);
    }
    try (KerasModel m = model.load(false)) {
      PrintWriter out = spec.commandLine().getOut();
      if (m.inputNames().size() > 1 || m.outputNames().size() > 1) {
        if (source.arrays == null) {
          throw new ConvlensException("the model has inputs " + m.inputNames() + " and outputs " + m.outputNames()
              + "; feed it arrays with --input NAME=FILE.npy (once per input)");
        }
        for (var e : m.predict(ArrayInput.readAll(m, source.arrays)).entrySet()) {
          out.println(e.getKey() + " " + java.util.Arrays.toString(e.getValue().shape()) + ": "
              + ArrayInput.preview(e.getValue(), 64));
        }
        out.flush();
        return 0;
      }
      FloatTensor x = source.arrays != null ? ArrayInput.read(m, single(source.arrays)) : input(m);
      FloatTensor scores = m.predict(x);
      if (scores.shape().length != 2) {
        // Not a classifier's [batch, classes]: print the output itself.
        out.println("output " + java.util.Arrays.toString(scores.shape()) + ": " + ArrayInput.preview(scores, 64));
      } else {
        List<List<Prediction>> best = classNames((int) scores.dim(-1)).decodePredictions(scores, top);
        for (int n = 0; n < best.size(); n++) {
          if (best.size() > 1) {
            out.println("sample " + n + ":");
          }
          for (int i = 0; i < best.get(n).size(); i++) {
            out.println(best.get(n).get(i).format(i + 1));
          }
        }
      }
      out.flush();
    }
    return 0;
  }

  /** The image as Keras' load_img would give it at the model's input size, then preprocessed. */
  static FloatTensor input(KerasModel m, Path image, Preprocessing mode) {
    if (m.inputNames().size() > 1) {
      throw new ConvlensException("the model has " + m.inputNames().size() + " inputs " + m.inputNames()
          + "; image commands take models with one image input (`convlens predict --input NAME=FILE.npy` feeds it)");
    }
    long[] s = m.inputShape();
    if (s.length != 4) {
      throw new ConvlensException("the model takes arrays of shape " + java.util.Arrays.toString(s)
          + ", not images; feed it with `convlens predict --input FILE.npy`");
    }
    if (s[1] < 0 || s[2] < 0) {
      throw new ConvlensException("model input " + java.util.Arrays.toString(s)
          + " has no fixed image size: pass --input-size");
    }
    ColorMode color = switch ((int) s[3]) {
      case 1 -> ColorMode.GRAYSCALE;
      case 3 -> ColorMode.RGB;
      case 4 -> ColorMode.RGBA;
      default -> throw new ConvlensException("model input has " + s[3] + " channels; images have 1, 3 or 4");
    };
    return mode.apply(KerasImages.loadImg(image, (int) s[1], (int) s[2], color));
  }

  private static Path single(List<String> arrays) {
    if (arrays.size() != 1 || arrays.get(0).contains("=")) {
      throw new IllegalArgumentException("the model has one input: give one --input FILE.npy, got " + arrays);
    }
    return Path.of(arrays.get(0));
  }

  private FloatTensor input(KerasModel m) {
    return input(m, Objects.requireNonNull(source.image), inputs.preprocessing(model));
  }

  private ClassNames classNames(int outputs) throws java.io.IOException {
    return inputs.classNames(model, outputs);
  }

}
