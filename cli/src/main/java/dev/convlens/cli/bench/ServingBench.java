package dev.convlens.cli.bench;

import dev.convlens.bridge.KerasModel;
import dev.convlens.bridge.LoadOptions;
import dev.convlens.bridge.applications.MobileNet;
import dev.convlens.visualize.cam.CamExplainer;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code convlens bench serving}: the stall that building graph ops causes while a model serves.
 * MobileNet (alpha 0.25, 128x128, random weights), 8 threads serving predict / activations /
 * Grad-CAM while a 9th creates Grad-CAM explainers for other layers: once with those explainers
 * created before serving ("prepared"), once created during serving ("during"), each round on a
 * freshly loaded model. Prints total time, p50/p99 latencies and the graph's growth.
 */
@Command(name = "serving", mixinStandardHelpOptions = true,
    description = {"Serving stall: 8 threads serve predict/activations/Grad-CAM on MobileNet-0.25 (random weights) "
        + "while a 9th creates Grad-CAM explainers for other layers, prepared before serving vs created during it.",
        "Prints total time and p50/p99 of the serving calls for each."})
public final class ServingBench implements Callable<Integer> {
  @Option(names = "--threads", defaultValue = "8", paramLabel = "N", description = "Serving threads (default ${DEFAULT-VALUE}).")
  int threads;

  @Option(names = "--calls", defaultValue = "30", paramLabel = "N",
      description = "Calls per serving thread (default ${DEFAULT-VALUE}).")
  int calls;

  @Option(names = "--layers", defaultValue = "8", paramLabel = "N",
      description = "Other layers the extra thread creates explainers for (default ${DEFAULT-VALUE}).")
  int layers;

  @Option(names = "--rounds", defaultValue = "1", paramLabel = "N",
      description = "Rounds of both modes, alternating which goes first (default ${DEFAULT-VALUE}).")
  int rounds;

  @Option(names = "--input-size", defaultValue = "128", paramLabel = "N", description = "Default ${DEFAULT-VALUE}.")
  int inputSize;

  @Option(names = "--alpha", defaultValue = "0.25", paramLabel = "A", description = "Default ${DEFAULT-VALUE}.")
  double alpha;

  @Option(names = "--random-weights", defaultValue = "42", paramLabel = "SEED",
      description = "Seed of the weights and inputs (default ${DEFAULT-VALUE}).")
  long seed;

  @Spec
  CommandSpec spec;

  @Override
  public Integer call() throws InterruptedException {
    if (threads < 1 || calls < 1 || layers < 1 || rounds < 1 || inputSize < 32) {
      throw new ParameterException(spec.commandLine(),
          "need --threads, --calls, --layers, --rounds >= 1 and --input-size >= 32");
    }
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    double loadAtStart = ResultTable.loadAverage();
    ServingRun run = new ServingRun(threads, calls, seed);
    List<ServingRun.Result> results = new ArrayList<>();
    List<String> others = List.of();
    for (int r = 0; r < rounds; r++) {
      for (ServingRun.Mode mode : r % 2 == 0 ? ServingRun.Mode.values() : reversed()) {
        try (KerasModel m = load()) {
          others = ServingRun.otherLayers(m, layers, CamExplainer.of(m).layer());
          err.printf(Locale.ROOT, "round %d: %s ...%n", r + 1, mode.label());
          err.flush();
          results.add(run.run(m, mode, others));
        }
      }
    }
    out.printf(Locale.ROOT, "serving: MobileNet alpha %s, %dx%d, random weights (seed %d); %d threads x %d calls "
        + "(predict, activations, Grad-CAM in turn); a %s thread creates Grad-CAM explainers for %d other layers "
        + "(%s ... %s)%n", alpha, inputSize, inputSize, seed, threads, calls, ordinal(threads + 1), others.size(),
        others.get(0), others.get(others.size() - 1));
    out.println(ResultTable.machineLine(loadAtStart));
    out.print(format(results));
    out.flush();
    return 0;
  }

  private static ServingRun.Mode[] reversed() {
    return new ServingRun.Mode[] {ServingRun.Mode.DURING, ServingRun.Mode.PREPARED};
  }

  private KerasModel load() {
    return KerasModel.fromConfig(MobileNet.Options.defaults().withAlpha(alpha).withInputSize(inputSize).withImagenetWeights(false)
        .config(), LoadOptions.defaults().withRandomWeights(seed));
  }

  /** The table: one row per round and mode, then whether both modes computed the same outputs. */
  static String format(List<ServingRun.Result> results) {
    StringBuilder b = new StringBuilder(String.format(Locale.ROOT, "%-9s %9s %9s %9s %9s %13s %15s%n", "mode",
        "total s", "p50 ms", "p99 ms", "max ms", "explainers s", "graph ops"));
    for (ServingRun.Result r : results) {
      b.append(String.format(Locale.ROOT, "%-9s %9.2f %9.1f %9.1f %9.1f %13.2f %15s%n", r.mode().label(),
          r.totalSeconds(), r.latencies().quantile(0.5), r.latencies().quantile(0.99), r.latencies().max(),
          r.explainerSeconds(), r.opsBefore() + " -> " + r.opsAfter()));
    }
    boolean same = results.stream().allMatch(r -> r.outputHashes().equals(results.get(0).outputHashes()));
    b.append("total = serving threads' wall time; p50/p99/max = latency of one serving call; explainers = the extra\n")
        .append("thread's time to create its explainers (prepared: they exist already, so it only looks them up);\n")
        .append("graph ops = the graph's op count before and after serving. Outputs identical in every round: ")
        .append(same ? "yes" : "NO").append('\n');
    return b.toString();
  }

  private static String ordinal(int n) {
    return n + (n % 100 / 10 == 1 ? "th" : switch (n % 10) {
      case 1 -> "st";
      case 2 -> "nd";
      case 3 -> "rd";
      default -> "th";
    });
  }
}
