package dev.convlens.cli;

import dev.convlens.bridge.ConvlensException;
import dev.convlens.bridge.KerasModel;
import dev.convlens.bridge.SessionOptions;
import dev.convlens.cli.bench.ForwardBenchmark;
import dev.convlens.cli.bench.ForwardEndpoint;
import dev.convlens.cli.bench.ForwardResult;
import dev.convlens.cli.bench.ForwardSetting;
import dev.convlens.cli.bench.ForwardWorker;
import dev.convlens.cli.bench.InProcessEndpoint;
import dev.convlens.cli.bench.ResultTable;
import dev.convlens.cli.bench.WorkerProcess;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code convlens bench forward}: the forward pass under several session settings side by side.
 * Each setting gets a model of its own, by default in a worker JVM of its own: TensorFlow sizes
 * its thread pools once per process, so thread settings only compare fairly across processes.
 */
@Command(name = "forward", mixinStandardHelpOptions = true,
    description = {"Time the forward pass (KerasModel.predict) under several session settings side by side: one model "
        + "per setting, each in a worker JVM of its own, all settings run in every iteration in rotating order; print "
        + "medians, IQRs and paired comparisons (Wilcoxon signed-rank) with the first setting.",
        "Default: VGG16 without top, 224x224, random weights (seed 42), batches 1 and 8."})
final class ForwardBenchCommand implements Callable<Integer> {
  /** What is compared unless told otherwise. */
  static final String DEFAULT_SETTINGS = "default,intra2+inter1,intra1+inter1,no-opt,onednn";

  @Option(names = "--model", defaultValue = "vgg16", paramLabel = "<vgg16|mobilenet|file|dir>",
      description = "A built-in architecture or a Keras model file / SavedModel directory (default ${DEFAULT-VALUE}).")
  String model;

  @Option(names = "--batch", split = ",", defaultValue = "1,8", paramLabel = "N",
      description = "Batch sizes, each timed separately (default ${DEFAULT-VALUE}).")
  List<Integer> batches;

  @Option(names = "--settings", split = ",", defaultValue = DEFAULT_SETTINGS, paramLabel = "SETTING",
      description = {"Settings to compare, the first being the baseline: default, or intraN, interN (thread counts), "
          + "no-opt (grappler off), elementwise (element-wise NdArray copies instead of predict's bulk copies), "
          + "onednn (TF_ENABLE_ONEDNN_OPTS=1 in the worker) joined by '+'.", "Default: ${DEFAULT-VALUE}."})
  List<String> settings;

  @Option(names = "--in-process", description = {"Load every setting's model in this JVM (faster to start). Thread "
      + "counts then do not compare: TensorFlow's pools are sized by the first model loaded."})
  boolean inProcess;

  @Option(names = "--warmup", defaultValue = "3", paramLabel = "N",
      description = "Untimed iterations per batch size (default ${DEFAULT-VALUE}).")
  int warmup;

  @Option(names = "--iterations", defaultValue = "15", paramLabel = "N",
      description = "Timed iterations per batch size, each running every setting once (default ${DEFAULT-VALUE}).")
  int iterations;

  @Option(names = "--input-size", paramLabel = "N",
      description = "Input height and width: built-ins (default 224), or model files with open sizes.")
  @Nullable Integer inputSize;

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
    List<ForwardSetting> chosen = settings();
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    double loadAtStart = ResultTable.loadAverage();
    int cores = Runtime.getRuntime().availableProcessors();
    if (loadAtStart > cores - 0.5) {
      err.printf(Locale.ROOT, "note: load average %.2f on %d cores; other work shares the CPUs, "
          + "expect noisy figures%n", loadAtStart, cores);
    }
    if (inProcess && chosen.stream().map(s -> threads(s.session())).distinct().count() > 1) {
      err.println("note: --in-process: every model uses the thread pools of the first one loaded ("
          + chosen.get(0).label() + "); thread counts do not compare");
    }
    Map<SessionOptions, KerasModel> models = new LinkedHashMap<>();
    List<ForwardEndpoint> endpoints = new ArrayList<>();
    try {
      for (ForwardSetting s : chosen) {
        long start = System.nanoTime();
        endpoints.add(inProcess ? new InProcessEndpoint(s, models.computeIfAbsent(s.session(), this::load))
            : WorkerProcess.start(s, Main.class.getName(), workerArgs(s)));
        err.printf(Locale.ROOT, "loaded %s for %s%s in %.1f s%n", model, s.label(), inProcess ? "" : " (worker JVM)",
            (System.nanoTime() - start) / 1e9);
        err.flush();
      }
      List<ForwardResult> results = new ArrayList<>();
      ProgressLine progress = new ProgressLine(err, System.console() != null);
      for (int batch : batches) {
        results.add(bench.withProgress(progress).run(endpoints, batch));
      }
      out.println(title(results.get(0), chosen.size()));
      out.println(ResultTable.machineLine(loadAtStart));
      out.print(ResultTable.format(results));
      out.flush();
    } finally {
      endpoints.forEach(ForwardEndpoint::close);
      models.values().forEach(KerasModel::close);
    }
    return 0;
  }

  private static List<Integer> threads(SessionOptions s) {
    return List.of(s.intraOpThreads(), s.interOpThreads());
  }

  private KerasModel load(SessionOptions session) {
    return modelOptions(model, inputSize, includeTop, seed, session).load(true);
  }

  private List<String> workerArgs(ForwardSetting s) {
    List<String> a = new ArrayList<>(List.of("bench", "forward-worker", "--model", model, "--random-weights",
        Long.toString(seed), "--setting", s.label()));
    if (inputSize != null) {
      a.addAll(List.of("--input-size", inputSize.toString()));
    }
    if (includeTop) {
      a.add("--include-top");
    }
    return a;
  }

  private List<ForwardSetting> settings() {
    List<ForwardSetting> out = new ArrayList<>();
    for (String s : settings) {
      try {
        out.add(ForwardSetting.parse(s));
      } catch (IllegalArgumentException | ConvlensException e) {
        throw new ParameterException(spec.commandLine(), "--settings: " + e.getMessage());
      }
    }
    if (out.isEmpty() || out.stream().map(ForwardSetting::label).distinct().count() < out.size()) {
      throw new ParameterException(spec.commandLine(), "--settings needs distinct settings, got " + settings);
    }
    if (inProcess && out.stream().anyMatch(ForwardSetting::onednn)) {
      throw new ParameterException(spec.commandLine(), "--settings: onednn is an environment variable TensorFlow reads "
          + "once per process; it needs worker JVMs (drop --in-process)");
    }
    return out;
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

  static ModelOptions modelOptions(String model, @Nullable Integer inputSize, boolean includeTop, long seed, SessionOptions session) {
    ModelOptions o = new ModelOptions();
    o.model = model;
    o.noTop = !includeTop;
    o.inputSize = inputSize;
    o.randomWeights = seed;
    o.session = session;
    return o;
  }

  private String title(ForwardResult first, int settingCount) {
    long[] in = first.inputShape();
    long[] out = first.outputShape();
    in[0] = -1;
    out[0] = -1;
    String what = model.equalsIgnoreCase("vgg16") || model.equalsIgnoreCase("mobilenet")
        ? model.toLowerCase(Locale.ROOT) + (includeTop ? "" : " (no top)") + ", random weights (seed " + seed + ")"
        : "model " + model;
    return "forward pass: " + what + ", input " + shape(in) + " -> output " + shape(out) + "; " + warmup
        + " warm-up + " + iterations + " timed iterations per batch, " + settingCount + " settings interleaved"
        + (inProcess ? " in this JVM" : ", one worker JVM each");
  }

  private static String shape(long[] s) {
    return Arrays.toString(s).replace("-1", "N");
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

  /**
   * {@code convlens bench forward-worker}: one setting's model, serving {@link ForwardWorker}'s line
   * protocol on stdin/stdout for {@code bench forward}. Not for people.
   */
  @Command(name = "forward-worker", hidden = true, description = "Worker JVM of bench forward (stdin/stdout protocol).")
  static final class Worker implements Callable<Integer> {
    @Option(names = "--model", required = true)
    String model;

    @Option(names = "--setting", required = true)
    String setting;

    @Option(names = "--input-size")
    @Nullable Integer inputSize;

    @Option(names = "--include-top")
    boolean includeTop;

    @Option(names = "--random-weights", required = true)
    long seed;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
      ForwardSetting s = ForwardSetting.parse(setting);
      try (KerasModel m = modelOptions(model, inputSize, includeTop, seed, s.session()).load(true)) {
        ForwardWorker.serve(new InProcessEndpoint(s, m),
            new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)), spec.commandLine().getOut());
      }
      return 0;
    }
  }
}
