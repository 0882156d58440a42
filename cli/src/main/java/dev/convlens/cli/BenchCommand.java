package dev.convlens.cli;

import dev.convlens.bridge.KerasModel;
import dev.convlens.cli.bench.ActivationsBench;
import dev.convlens.cli.bench.FiltersBenchCommand;
import dev.convlens.cli.bench.FinetuneBench;
import dev.convlens.cli.bench.ForwardBenchmark;
import dev.convlens.cli.bench.GradCamBenchCommand;
import dev.convlens.cli.bench.ForwardResult;
import dev.convlens.cli.bench.ResultTable;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code convlens bench}: timing commands; they print figures and exit 0, whatever the figures. */
@Command(name = "bench", mixinStandardHelpOptions = true,
    description = "Benchmarks: how long convlens takes compared with bare TensorFlow Java.",
    subcommands = {BenchCommand.Forward.class, ActivationsBench.class, FiltersBenchCommand.class,
        GradCamBenchCommand.class, FinetuneBench.class})
final class BenchCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Override
  public Integer call() {
    throw new ParameterException(spec.commandLine(), "missing subcommand: forward, activations, filters, gradcam or finetune");
  }

  @Command(name = "forward", mixinStandardHelpOptions = true,
      description = {"Time the forward pass through KerasModel.predict (Java arrays in and out) and through a "
          + "bare TF Java session run on the same graph, interleaved in one run, and print medians and overhead.",
          "Default: VGG16 without top, 224x224, random weights (seed 42), batches 1 and 8."})
  static final class Forward implements Callable<Integer> {
    @Option(names = "--model", defaultValue = "vgg16", paramLabel = "<vgg16|mobilenet|file|dir>",
        description = "A built-in architecture or a Keras model file / SavedModel directory (default ${DEFAULT-VALUE}).")
    String model;

    @Option(names = "--batch", split = ",", defaultValue = "1,8", paramLabel = "N",
        description = "Batch sizes, each timed separately (default ${DEFAULT-VALUE}).")
    List<Integer> batches;

    @Option(names = "--warmup", defaultValue = "3", paramLabel = "N",
        description = "Untimed iterations per batch size (default ${DEFAULT-VALUE}).")
    int warmup;

    @Option(names = "--iterations", defaultValue = "15", paramLabel = "N",
        description = "Timed iterations per batch size, each running both sides once (default ${DEFAULT-VALUE}).")
    int iterations;

    @Option(names = "--input-size", paramLabel = "N",
        description = "Input height and width: built-ins (default 224), or model files with open sizes.")
    Integer inputSize;

    @Option(names = "--include-top", description = "Built-ins: with the classifier (default: without).")
    boolean includeTop;

    @Option(names = "--random-weights", defaultValue = "42", paramLabel = "SEED",
        description = "Seed of the random weights used where none are stored (default ${DEFAULT-VALUE}).")
    long seed;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
      ForwardBenchmark bench = benchmark();
      PrintWriter out = spec.commandLine().getOut();
      PrintWriter err = spec.commandLine().getErr();
      ModelOptions options = modelOptions();
      double loadAtStart = ResultTable.loadAverage();
      int cores = Runtime.getRuntime().availableProcessors();
      if (loadAtStart > cores - 0.5) {
        err.printf(java.util.Locale.ROOT, "note: load average %.2f on %d cores; other work shares the CPUs, "
            + "expect noisy figures%n", loadAtStart, cores);
      }
      long start = System.nanoTime();
      err.println("loading " + model + " ...");
      err.flush();
      try (KerasModel m = options.load(true)) {
        err.printf("loaded in %.1f s%n", (System.nanoTime() - start) / 1e9);
        err.flush();
        List<ForwardResult> results = new ArrayList<>();
        ProgressLine progress = new ProgressLine(err, System.console() != null);
        for (int batch : batches) {
          results.add(bench.withProgress(progress).run(m, batch));
        }
        out.println(title(m, results.get(0)));
        out.println(ResultTable.machineLine(loadAtStart));
        out.print(ResultTable.format(results));
        out.flush();
      }
      return 0;
    }

    private ForwardBenchmark benchmark() {
      if (batches.isEmpty() || batches.stream().anyMatch(b -> b < 1)) {
        throw new ParameterException(spec.commandLine(), "--batch needs sizes of 1 or more, got " + batches);
      }
      if (warmup < 0) {
        throw new ParameterException(spec.commandLine(), "--warmup must be 0 or more, got " + warmup);
      }
      if (iterations < 1) {
        throw new ParameterException(spec.commandLine(), "--iterations must be 1 or more, got " + iterations);
      }
      if (inputSize != null && inputSize < 1) {
        throw new ParameterException(spec.commandLine(), "--input-size must be 1 or more, got " + inputSize);
      }
      return ForwardBenchmark.of(warmup, iterations);
    }

    private ModelOptions modelOptions() {
      ModelOptions o = new ModelOptions();
      o.model = model;
      o.noTop = !includeTop;
      o.inputSize = inputSize;
      o.randomWeights = seed;
      return o;
    }

    private String title(KerasModel m, ForwardResult first) {
      long[] in = first.inputShape();
      long[] out = first.outputShape();
      in[0] = -1;
      out[0] = -1;
      String what = model.equalsIgnoreCase("vgg16") || model.equalsIgnoreCase("mobilenet")
          ? model.toLowerCase(java.util.Locale.ROOT) + (includeTop ? "" : " (no top)") + ", random weights (seed " + seed + ")"
          : m.name() + " from " + model;
      return "forward pass: " + what + ", input " + shape(in) + " -> output " + shape(out) + "; " + warmup
          + " warm-up + " + iterations + " timed iterations per batch, api and bare interleaved";
    }

    private static String shape(long[] s) {
      return Arrays.toString(s).replace("-1", "N");
    }
  }

  /** Progress on stderr: one updating line on a terminal, otherwise a line per finished phase. */
  private record ProgressLine(PrintWriter err, boolean terminal) implements ForwardBenchmark.Progress {
    @Override
    public void update(int batch, boolean warmup, int done, int total) {
      String text = "batch " + batch + ": " + (warmup ? "warm-up " : "") + done + "/" + total;
      if (terminal) {
        err.print("\r" + text + "   ");
        if (!warmup && done == total) {
          err.println();
        }
        err.flush();
      } else if (done == total) {
        err.println(text);
        err.flush();
      }
    }
  }
}
