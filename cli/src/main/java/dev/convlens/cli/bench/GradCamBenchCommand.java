package dev.convlens.cli.bench;

import dev.convlens.bridge.KerasModel;
import dev.convlens.visualize.cam.CamExplainer;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code convlens bench gradcam}: Grad-CAM time against the plain forward pass (VGG16 without top
 * plus a generated dense head, random weights), batches 1 and 8 in one run, and Score-CAM per image.
 */
@Command(name = "gradcam", mixinStandardHelpOptions = true,
    description = {"Time book Grad-CAM against the plain forward pass on VGG16 (no top, random weights) with a "
        + "generated GlobalAveragePooling2D -> Dense(1000, softmax) head, interleaved in one run; then Score-CAM "
        + "for one image.", "Prints medians in ms and the ratio Grad-CAM / forward (target: under 1.5)."})
public final class GradCamBenchCommand implements Callable<Integer> {
  @Option(names = "--input-size", defaultValue = "224", paramLabel = "N", description = "Input size (default ${DEFAULT-VALUE}).")
  int inputSize;

  @Option(names = "--batch", split = ",", defaultValue = "1,8", paramLabel = "N",
      description = "Batch sizes (default ${DEFAULT-VALUE}).")
  List<Integer> batches;

  @Option(names = "--warmup", defaultValue = "2", paramLabel = "N", description = "Untimed iterations (default ${DEFAULT-VALUE}).")
  int warmup;

  @Option(names = "--iterations", defaultValue = "10", paramLabel = "N",
      description = "Timed iterations per batch size, each running both once (default ${DEFAULT-VALUE}).")
  int iterations;

  @Option(names = "--scorecam-batch", defaultValue = "32", paramLabel = "N",
      description = "Masked inputs per Score-CAM forward pass (default ${DEFAULT-VALUE}); 0 skips Score-CAM.")
  int scoreCamBatch;

  @Option(names = "--random-weights", defaultValue = "42", paramLabel = "SEED", description = "Weight seed (default ${DEFAULT-VALUE}).")
  long seed;

  @Spec
  CommandSpec spec;

  /** Runs the benchmark alone, e.g. before it is listed under {@code convlens bench}. */
  public static void main(String[] args) {
    System.exit(new CommandLine(new GradCamBenchCommand()).execute(args));
  }

  @Override
  public Integer call() {
    if (inputSize < 32 || warmup < 0 || iterations < 1 || scoreCamBatch < 0 || batches.stream().anyMatch(b -> b < 1)) {
      throw new ParameterException(spec.commandLine(), "need --input-size >= 32, --warmup >= 0, --iterations >= 1,"
          + " --scorecam-batch >= 0 and batch sizes >= 1");
    }
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    err.println("building VGG16 (no top) + GAP/Dense(1000) head at " + inputSize + "x" + inputSize + " ...");
    err.flush();
    try (KerasModel model = GradCamBenchmark.vgg16WithDenseHead(inputSize, seed)) {
      long build = System.nanoTime();
      CamExplainer gradCam = CamExplainer.of(model);
      double buildMs = (System.nanoTime() - build) / 1e6;
      GradCamBenchmark bench = new GradCamBenchmark(warmup, iterations);
      List<GradCamBenchmark.Result> results = new ArrayList<>();
      for (int b : batches) {
        err.println("batch " + b + " ...");
        err.flush();
        results.add(bench.run(model, gradCam, b));
      }
      out.printf(Locale.ROOT, "Grad-CAM (book) vs forward: VGG16 no top + GAP/Dense(1000) head, %dx%d, random weights"
          + " (seed %d), layer %s; gradient ops built once in %.0f ms; %d warm-up + %d timed iterations, interleaved%n",
          inputSize, inputSize, seed, gradCam.layer(), buildMs, warmup, iterations);
      out.printf(Locale.ROOT, "%6s %12s %12s %8s %14s%n", "batch", "forward ms", "gradcam ms", "ratio", "gradcam/image");
      for (GradCamBenchmark.Result r : results) {
        out.printf(Locale.ROOT, "%6d %12.1f %12.1f %8.2f %14.1f%n", r.batch(), r.forwardMs(), r.gradCamMs(), r.ratio(),
            r.gradCamMs() / r.batch());
      }
      out.flush();
      if (scoreCamBatch > 0) {
        double s = GradCamBenchmark.scoreCamSeconds(model, scoreCamBatch, ScoreCamProgress.to(err));
        out.printf(Locale.ROOT, "Score-CAM: %.1f s per image (%d channels of %s, %d masked inputs per run)%n", s,
            model.layer(gradCam.layer()).outputShape()[3], gradCam.layer(), scoreCamBatch);
      }
    }
    return 0;
  }
}
