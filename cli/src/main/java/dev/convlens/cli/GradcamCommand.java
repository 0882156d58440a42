package dev.convlens.cli;

import dev.convlens.bridge.Cancellation;
import dev.convlens.bridge.CancelledException;
import dev.convlens.bridge.FloatTensor;
import dev.convlens.bridge.InvalidInputException;
import dev.convlens.bridge.KerasModel;
import dev.convlens.bridge.image.ClassNames;
import dev.convlens.bridge.image.KerasImages;
import dev.convlens.bridge.image.Prediction;
import dev.convlens.bridge.image.Preprocessing;
import dev.convlens.bridge.io.Npy;
import dev.convlens.cli.bench.ScoreCamProgress;
import dev.convlens.visualize.cam.AttributionMethod;
import dev.convlens.visualize.cam.AttributionOptions;
import dev.convlens.visualize.cam.Attributor;
import dev.convlens.visualize.cam.CamMethod;
import dev.convlens.visualize.cam.CamOptions;
import dev.convlens.visualize.cam.GuidedBackprop;
import dev.convlens.visualize.cam.Heatmap;
import dev.convlens.visualize.cam.Overlay;
import dev.convlens.visualize.cam.Target;
import dev.convlens.visualize.render.Colormap;
import dev.convlens.visualize.render.Images;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

@Command(name = "gradcam", mixinStandardHelpOptions = true,
    description = {"Print the top-3 predictions and write a class activation heatmap over the image "
        + "(the book's Grad-CAM by default: JET colors, alpha 0.4).",
        "Example: convlens gradcam --model mobilenet --alpha 0.25 --input-size 128 --image elephant.jpg --out heat.png"})
final class GradcamCommand implements Callable<Integer> {
  @Mixin
  ModelOptions model;

  @Mixin
  InputOptions inputs;

  @Option(names = "--image", required = true, paramLabel = "FILE", description = "The image (JPEG, PNG, BMP, GIF).")
  Path image;

  @Option(names = "--out", required = true, paramLabel = "FILE", description = "The overlay, .png or .jpg.")
  Path out;

  @Option(names = "--class", paramLabel = "N|NAME", description = "Class index or label to explain (default: top-1).")
  @Nullable String className;

  @Option(names = "--output", paramLabel = "NAME",
      description = "Which output of a multi-output model to explain (the name of the layer producing it).")
  @Nullable String output;

  @Option(names = "--layer", paramLabel = "L",
      description = "Target layer name or nested path (default: the last 4-D layer before the classifier).")
  @Nullable String layer;

  @Option(names = "--method", defaultValue = "gradcam-book", paramLabel = "M",
      description = "gradcam-book (the book's: probability, mean over channels), gradcam (the paper's and keras.io's: "
          + "logit, sum; alias gradcam-logit), hirescam, xgradcam, gradcam++, layercam, eigencam, eigengradcam, "
          + "scorecam, fasterscorecam (Score-CAM on the 10 channels of largest variance), ablationcam, or in "
          + "input space saliency, smoothgrad, ig (Integrated Gradients), occlusion or guided (default ${DEFAULT-VALUE}).")
  String method;

  @Option(names = "--score", defaultValue = "method", paramLabel = "method|output|logit",
      description = "What the class's map explains: the method's own score (the book's Grad-CAM and Score-CAM the "
          + "probability, the others the logit), the output as it is, or the logit before the softmax or sigmoid "
          + "(default ${DEFAULT-VALUE}; with --class).")
  String score;

  @Option(names = "--guided", description = "Also write guided Grad-CAM (guided backprop x map) at the model's "
      + "input size to <out>_guided.png.")
  boolean guided;

  @Option(names = "--raw", paramLabel = "FILE.npy",
      description = "Also write the map at the layer's resolution as float32 .npy, shape (2, h, w): [0] raw, [1] normalised.")
  @Nullable Path raw;

  @Option(names = "--colormap", defaultValue = "jet", paramLabel = "jet|viridis", description = "Heatmap colors (default ${DEFAULT-VALUE}).")
  String colormap;

  @Option(names = "--overlay-alpha", defaultValue = "0.4", paramLabel = "A",
      description = "Weight of the heatmap added to the image (default ${DEFAULT-VALUE}, the book's).")
  double overlayAlpha;

  @Mixin
  TimeoutOption timeout;

  @Spec
  CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    AttributionMethod camMethod;
    Target.Score scoreKind;
    try {
      camMethod = AttributionMethod.parse(method);
      scoreKind = Target.Score.valueOf(score.toUpperCase(Locale.ROOT));
    } catch (InvalidInputException | IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), e instanceof InvalidInputException ? "--method: " + e.getMessage()
          : "--score must be method, output or logit, got " + score);
    }
    Colormap map = switch (colormap.toLowerCase(Locale.ROOT)) {
      case "jet" -> Colormap.JET;
      case "viridis" -> Colormap.VIRIDIS;
      default -> throw new ParameterException(spec.commandLine(), "--colormap must be jet or viridis, got " + colormap);
    };
    String name = out.getFileName().toString().toLowerCase(Locale.ROOT);
    if (!name.endsWith(".png") && !name.endsWith(".jpg") && !name.endsWith(".jpeg")) {
      throw new ParameterException(spec.commandLine(), "--out must end in .png, .jpg or .jpeg, got " + out);
    }
    if (raw != null && !raw.getFileName().toString().endsWith(".npy")) {
      throw new ParameterException(spec.commandLine(), "--raw must end in .npy, got " + raw);
    }
    if (!(overlayAlpha >= 0)) {
      throw new ParameterException(spec.commandLine(), "--overlay-alpha must be 0 or more, got " + overlayAlpha);
    }
    PrintWriter stdout = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    try (KerasModel m = model.load(false)) {
      Preprocessing mode = inputs.preprocessing(model);
      FloatTensor x = PredictCommand.input(m, image, mode);
      Cancellation deadline = timeout.start();
      CamOptions options = CamOptions.defaults().withLayer(layer).withOutput(output)
          .withListener(ScoreCamProgress.to(err)).withCancellation(deadline);
      Attributor cam = Attributor.of(m, camMethod, options, AttributionOptions.defaults().withCancellation(deadline));
      GuidedBackprop guidedOps = guided ? GuidedBackprop.of(m) : null; // fails fast on shared layers
      int outputs = output == null ? InputOptions.outputCount(m) : (int) lastAxis(m.layer(output).outputShape());
      ClassNames names = inputs.classNames(model, outputs);
      int wanted = classIndex(names, outputs);
      Heatmap h;
      try {
        Target target = wanted < 0 ? Target.topClass() : scoreKind == Target.Score.OUTPUT ? Target.output(wanted)
            : scoreKind == Target.Score.LOGIT ? Target.logit(wanted) : Target.classIndex(wanted);
        h = cam.explain(x, List.of(target)).get(0);
      } catch (CancelledException e) {
        if (camMethod == CamMethod.SCORE_CAM || camMethod == CamMethod.FASTER_SCORE_CAM
            || camMethod == CamMethod.ABLATION_CAM) {
          err.println(); // end the progress line
        }
        throw e;
      }
      List<Prediction> best = names.decodePredictions(FloatTensor.of(h.predictions().data(), 1, outputs), 3).get(0);
      for (int i = 0; i < best.size(); i++) {
        stdout.println(best.get(i).format(i + 1));
      }
      String label = h.classIndex() < names.size() ? names.label(h.classIndex()) : "class_" + h.classIndex();
      stdout.printf(Locale.ROOT, "%s of %s (%d, %.4f) at %s, %dx%d%s -> %s%n", camMethod.cliName(), label,
          h.classIndex(), h.probability(), cam.layer(), h.height(), h.width(),
          h.degenerate() ? " (degenerate: no positive evidence, map is all zero)" : "", out);
      FloatTensor photo = KerasImages.loadImg(image);
      Images.write(Overlay.superimpose(photo, h, map, overlayAlpha), out);
      if (raw != null) {
        float[] both = new float[2 * h.height() * h.width()];
        System.arraycopy(h.raw().data(), 0, both, 0, h.raw().data().length);
        System.arraycopy(h.normalized().data(), 0, both, h.raw().data().length, h.normalized().data().length);
        Npy.write(raw, FloatTensor.of(both, 2, h.height(), h.width()));
        stdout.println("raw map -> " + raw);
      }
      if (guidedOps != null) {
        FloatTensor g = guidedOps.gradients(x, new int[] {h.classIndex()});
        Path file = sibling(out, "_guided.png");
        Images.write(GuidedBackprop.image(GuidedBackprop.guidedGradCam(g, h)), file);
        stdout.println("guided Grad-CAM -> " + file);
      }
      stdout.flush();
    }
    return 0;
  }

  private int classIndex(ClassNames names, int outputs) {
    if (className == null) {
      return -1;
    }
    int index;
    try {
      index = Integer.parseInt(className.trim());
    } catch (NumberFormatException notANumber) {
      index = names.labels().indexOf(className);
      for (int i = 0; index < 0 && i < names.size(); i++) {
        index = names.label(i).equalsIgnoreCase(className) ? i : -1;
      }
      if (index < 0) {
        throw new ParameterException(spec.commandLine(), "--class '" + className + "' is no class name of this model;"
            + " give an index 0.." + (outputs - 1) + " or a label such as '" + names.label(0) + "'");
      }
    }
    int classes = Math.max(outputs, 1);
    if (index < 0 || index >= classes) {
      throw new ParameterException(spec.commandLine(), "--class " + index + " is outside 0.." + (classes - 1));
    }
    return index;
  }

  private static Path sibling(Path file, String suffix) {
    String n = file.getFileName().toString();
    int dot = n.lastIndexOf('.');
    return file.resolveSibling((dot < 0 ? n : n.substring(0, dot)) + suffix);
  }

  private static long lastAxis(long[] shape) {
    return shape[shape.length - 1];
  }
}
