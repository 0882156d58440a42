package dev.convlens.cli.bench;

import dev.convlens.bridge.FloatTensor;
import dev.convlens.bridge.InvalidInputException;
import dev.convlens.bridge.KerasModel;
import dev.convlens.visualize.cam.AttributionOptions;
import dev.convlens.visualize.cam.CamExplainer;
import dev.convlens.visualize.cam.CamListener;
import dev.convlens.visualize.cam.CamMethod;
import dev.convlens.visualize.cam.CamOptions;
import dev.convlens.visualize.cam.GuidedBackprop;
import dev.convlens.visualize.cam.InputAttribution;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code convlens bench gradcam}: the cost of every CAM method ({@code CamMethod.values()}, so
 * methods added later are measured too) and of the input-space methods relative to one plain
 * forward pass at the same batch, on VGG16 without top plus a generated dense head, random
 * weights; all interleaved in one run ({@link CostRounds}).
 */
@Command(name = "gradcam", mixinStandardHelpOptions = true,
    description = {"Time every CAM method (batches 1 and 8) and saliency, Integrated Gradients and guided backprop"
        + " (batch 1) against the plain forward pass on VGG16 (no top, random weights) with a generated"
        + " GlobalAveragePooling2D -> Dense(1000, softmax) head, round-robin in one run.",
        "Prints medians in ms and each one's ratio to the forward pass at the same batch; Integrated Gradients"
        + " batched vs one point per run; Faster-Score-CAM vs Score-CAM."})
public final class GradCamBenchCommand implements Callable<Integer> {
  static final String SALIENCY = "saliency";
  static final String IG = "ig";
  static final String GUIDED = "guided";
  private static final List<String> INPUT_METHODS = List.of(SALIENCY, IG, GUIDED);

  @Option(names = "--input-size", defaultValue = "224", paramLabel = "N", description = "Input size (default ${DEFAULT-VALUE}).")
  int inputSize;

  @Option(names = "--batch", split = ",", defaultValue = "1,8", paramLabel = "N",
      description = "Batch sizes of the CAM methods (default ${DEFAULT-VALUE}).")
  List<Integer> batches;

  @Option(names = "--methods", split = ",", paramLabel = "NAME",
      description = "Only these: CAM method names (as gradcam --method takes them), saliency, ig, guided"
          + " (default: every CAM method and the three input-space ones).")
  @Nullable List<String> methods;

  @Option(names = "--warmup", defaultValue = "1", paramLabel = "N", description = "Untimed rounds (default ${DEFAULT-VALUE}).")
  int warmup;

  @Option(names = "--iterations", defaultValue = "5", paramLabel = "N",
      description = "Timed rounds, each running every method once (default ${DEFAULT-VALUE}).")
  int iterations;

  @Option(names = "--slow-methods", split = ",", defaultValue = "scorecam,fasterscorecam,ablationcam", paramLabel = "NAME",
      description = "Score-CAM-like methods (a forward pass per channel): timed with --slow-iterations at --slow-batch,"
          + " without warm-up; names this build lacks are skipped (default ${DEFAULT-VALUE}).")
  List<String> slowMethods;

  @Option(names = "--slow-iterations", defaultValue = "1", paramLabel = "N",
      description = "Timed rounds of the slow methods and of Integrated Gradients, at most --iterations; 0 skips them"
          + " (default ${DEFAULT-VALUE}).")
  int slowIterations;

  @Option(names = "--slow-batch", split = ",", defaultValue = "1", paramLabel = "N",
      description = "Batch sizes of the slow methods (default ${DEFAULT-VALUE}: Score-CAM on VGG16 is 512 forward"
          + " passes per image).")
  List<Integer> slowBatches;

  @Option(names = "--scorecam-batch", defaultValue = "32", paramLabel = "N",
      description = "Masked inputs per Score-CAM forward pass (default ${DEFAULT-VALUE}).")
  int scoreCamBatch;

  @Option(names = "--ig-steps", defaultValue = "50", paramLabel = "N",
      description = "Integrated Gradients steps (default ${DEFAULT-VALUE}).")
  int igSteps;

  @Option(names = "--ig-batch", defaultValue = "16", paramLabel = "N",
      description = "Integrated Gradients points per run of the batched variant (default ${DEFAULT-VALUE});"
          + " the other runs one point per run.")
  int igBatch;

  @Option(names = "--json", paramLabel = "FILE", description = "Also write the results as JSON to FILE.")
  @Nullable Path json;

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
    if (inputSize < 32 || warmup < 0 || iterations < 1 || slowIterations < 0 || slowIterations > iterations
        || scoreCamBatch < 1 || igSteps < 1 || igBatch < 1 || batches.stream().anyMatch(b -> b < 1)
        || slowBatches.stream().anyMatch(b -> b < 1)) {
      throw new ParameterException(spec.commandLine(), "need --input-size >= 32, --warmup >= 0, --iterations >= 1,"
          + " 0 <= --slow-iterations <= --iterations, --scorecam-batch, --ig-steps, --ig-batch >= 1 and batch sizes >= 1");
    }
    if (json != null && json.toAbsolutePath().getParent() != null && !Files.isDirectory(json.toAbsolutePath().getParent())) {
      throw new InvalidInputException("--json " + json + ": its directory does not exist");
    }
    Set<CamMethod> cams = new LinkedHashSet<>();
    Set<String> inputs = new LinkedHashSet<>();
    select(cams, inputs);
    Set<CamMethod> slow = new LinkedHashSet<>();
    List<String> absent = new ArrayList<>();
    for (String name : slowMethods) {
      CamMethod m = lookup(name);
      if (m == null) {
        absent.add(name);
      } else {
        slow.add(m);
      }
    }
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    double loadAtStart = ResultTable.loadAverage();
    err.println("building VGG16 (no top) + GAP/Dense(1000) head at " + inputSize + "x" + inputSize + " ...");
    err.flush();
    try (KerasModel model = GradCamBenchmark.vgg16WithDenseHead(inputSize, seed)) {
      Set<Integer> forwardBatches = new TreeSet<>(batches);
      if (cams.stream().anyMatch(slow::contains) && slowIterations > 0) { // forward at the slow batches for the ratio
        forwardBatches.addAll(slowBatches);
      }
      if (!inputs.isEmpty()) {
        forwardBatches.add(1);
      }
      List<CostRounds.Task> tasks = new ArrayList<>();
      for (int b : forwardBatches) {
        FloatTensor x = GradCamBenchmark.input(model, b, 42);
        tasks.add(new CostRounds.Task(CamCostReport.FORWARD, b, false, () -> model.predict(x)));
      }
      String layer = "";
      for (CamMethod m : cams) {
        boolean isSlow = slow.contains(m);
        if (isSlow && slowIterations == 0) {
          continue;
        }
        // Built here, so the gradient ops are added to the graph before anything is timed.
        CamExplainer cam = CamExplainer.of(model, CamOptions.defaults().withMethod(m).withScoreCamBatchSize(scoreCamBatch)
            .withListener(isSlow ? ScoreCamProgress.to(err) : CamListener.NONE));
        layer = cam.layer();
        for (int b : isSlow ? slowBatches : batches) {
          FloatTensor x = GradCamBenchmark.input(model, b, 42);
          tasks.add(new CostRounds.Task(m.cliName(), b, isSlow, () -> cam.explain(x)));
        }
      }
      addInputTasks(model, inputs, tasks);
      List<String> setup = setup(layer, slow, absent);
      CostRounds rounds = new CostRounds(warmup, iterations, slowIterations);
      List<CostRounds.Measured> measured = rounds.run(tasks, (round, total, warm, t) -> {
        err.printf(Locale.ROOT, "\r%-72s", String.format(Locale.ROOT, "%s round %d/%d: %s, batch %d",
            warm ? "warm-up" : "timed", round, total, t.name(), t.batch()));
        err.flush();
      });
      err.println();
      err.flush();
      setup.add(ResultTable.machineLine(loadAtStart));
      CamCostReport report = CamCostReport.of(setup, measured, igSteps, igBatch, fasterScoreCamNote(cams));
      out.print(report.text());
      out.flush();
      if (json != null) {
        try {
          Files.writeString(json, report.json() + "\n");
        } catch (IOException e) {
          throw new UncheckedIOException("cannot write --json " + json, e);
        }
      }
    }
    return 0;
  }

  /** The methods to time: all, or those {@code --methods} names. */
  private void select(Set<CamMethod> cams, Set<String> inputs) {
    if (methods == null || methods.isEmpty()) {
      cams.addAll(Arrays.asList(CamMethod.values()));
      inputs.addAll(INPUT_METHODS);
      return;
    }
    for (String name : methods) {
      String n = name.trim().toLowerCase(Locale.ROOT);
      if (INPUT_METHODS.contains(n)) {
        inputs.add(n);
      } else {
        try {
          cams.add(CamMethod.parse(n));
        } catch (InvalidInputException e) {
          throw new ParameterException(spec.commandLine(), "--methods: " + e.getMessage() + ", or one of " + INPUT_METHODS);
        }
      }
    }
  }

  /** Saliency, Integrated Gradients (batched and one point per run) and guided backprop of one image. */
  private void addInputTasks(KerasModel model, Set<String> inputs, List<CostRounds.Task> tasks) {
    if (inputs.isEmpty()) {
      return;
    }
    FloatTensor x = GradCamBenchmark.input(model, 1, 42);
    InputAttribution attribution = InputAttribution.of(model);
    if (inputs.contains(SALIENCY)) {
      tasks.add(new CostRounds.Task(SALIENCY, 1, false, () -> attribution.saliency(x, AttributionOptions.defaults())));
    }
    if (inputs.contains(IG)) {
      AttributionOptions batched = AttributionOptions.defaults().withSteps(igSteps).withBatchSize(igBatch);
      AttributionOptions single = batched.withBatchSize(1);
      // A gradient run per point, like Score-CAM's forward pass per channel: timed as the slow methods.
      if (slowIterations > 0) {
        tasks.add(new CostRounds.Task(CamCostReport.igBatchedName(igBatch), 1, true,
            () -> attribution.integratedGradients(x, batched)));
        tasks.add(new CostRounds.Task(CamCostReport.igStepName(), 1, true, () -> attribution.integratedGradients(x, single)));
      }
    }
    if (inputs.contains(GUIDED)) {
      GuidedBackprop guided = GuidedBackprop.of(model);
      tasks.add(new CostRounds.Task(GUIDED, 1, false, () -> guided.gradients(x, (int[]) null)));
    }
  }

  private List<String> setup(String layer, Set<CamMethod> slow, List<String> absent) {
    List<String> lines = new ArrayList<>();
    lines.add(String.format(Locale.ROOT, "cost relative to one forward pass at the same batch: VGG16 no top + GAP/Dense(1000)"
        + " head, %dx%d, random weights (seed %d), CAM layer %s; explainers built before timing", inputSize, inputSize,
        seed, layer.isEmpty() ? "n/a" : layer));
    lines.add(String.format(Locale.ROOT, "%d warm-up + %d timed rounds, round-robin (each round starts one method later);"
        + " CAM methods at batch %s, input-space methods at batch 1", warmup, iterations, join(batches)));
    lines.add(String.format(Locale.ROOT, "Score-CAM-like (*): %s timed in %d round(s) without warm-up at batch %s,"
        + " %d masked inputs per run%s", slow.isEmpty() ? "none" : slow.stream().map(CamMethod::cliName)
        .collect(Collectors.joining(", ")), slowIterations, join(slowBatches), scoreCamBatch,
        absent.isEmpty() ? "" : "; not in this build: " + String.join(", ", absent)));
    lines.add(String.format(Locale.ROOT, "Integrated Gradients (*, timed as those): %d steps, %d points per run vs 1 point"
        + " per run", igSteps, igBatch));
    return lines;
  }

  private static @Nullable String fasterScoreCamNote(Set<CamMethod> cams) {
    CamMethod faster = lookup(CamCostReport.FASTER_SCORE_CAM);
    if (faster == null) {
      return "absent (CamMethod has no '" + CamCostReport.FASTER_SCORE_CAM + "' in this build)";
    }
    CamMethod score = lookup(CamCostReport.SCORE_CAM);
    if (score == null || !cams.contains(faster) || !cams.contains(score)) {
      return "not measured (--methods leaves out " + CamCostReport.FASTER_SCORE_CAM + " or " + CamCostReport.SCORE_CAM + ")";
    }
    return null;
  }

  /** The CAM method called {@code name}, or null when this build has none (e.g. one merged later). */
  static @Nullable CamMethod lookup(String name) {
    try {
      return CamMethod.parse(name);
    } catch (InvalidInputException e) {
      return null;
    }
  }

  private static String join(List<Integer> values) {
    return values.stream().map(String::valueOf).collect(Collectors.joining(","));
  }
}
