package dev.convlens.cli.bench;

import dev.convlens.bridge.Cancellation;
import dev.convlens.bridge.CancelledException;
import dev.convlens.bridge.FloatTensor;
import dev.convlens.bridge.KerasModel;
import dev.convlens.bridge.LoadOptions;
import dev.convlens.bridge.applications.Vgg16;
import dev.convlens.cli.demo.Shapes;
import dev.convlens.visualize.cam.CamExplainer;
import dev.convlens.visualize.cam.CamMethod;
import dev.convlens.visualize.cam.CamOptions;
import dev.convlens.visualize.filters.FilterOptions;
import dev.convlens.visualize.filters.FilterVisualizer;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.IntStream;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code convlens bench cancel}: how long after a deadline (100 ms by default) a long call really
 * returns, stopped by the deadline and by {@code Future.cancel(true)} at the deadline: Score-CAM
 * over a batch and a filter grid on the demo model (checked before every graph run), and one VGG16
 * forward pass with random weights (a single run, which nothing stops once started). Each case also
 * runs uncancelled; the modes take turns every iteration. Prints medians and maxima in ms.
 */
@Command(name = "cancel", mixinStandardHelpOptions = true,
    description = {"Time how long after a deadline long calls return, stopped by the deadline and by "
        + "Future.cancel(true): Score-CAM and a filter grid on the demo model, and one VGG16 forward pass with "
        + "random weights (a single graph run).", "Prints medians (max) in ms."})
public final class CancelBench implements Callable<Integer> {
  @Option(names = "--deadline", defaultValue = "100", paramLabel = "MS", description = "Deadline in ms (default ${DEFAULT-VALUE}).")
  long deadlineMs;

  @Option(names = "--iterations", defaultValue = "5", paramLabel = "N", description = "Timed iterations (default ${DEFAULT-VALUE}).")
  int iterations;

  @Option(names = "--images", defaultValue = "8", paramLabel = "N",
      description = "Images in the Score-CAM batch (default ${DEFAULT-VALUE}).")
  int images;

  @Option(names = "--model", paramLabel = "DIR", description = "The demo model (default: saved_models/shapes).")
  Path model;

  @Option(names = "--layer", defaultValue = "conv4", description = "Demo model layer of the filter grid (default ${DEFAULT-VALUE}).")
  String layer;

  @Option(names = "--no-vgg16", description = "Skip the VGG16 case (it builds a 58 MB model).")
  boolean noVgg16;

  @Option(names = "--vgg16-batch", defaultValue = "1", paramLabel = "N", description = "VGG16 batch (default ${DEFAULT-VALUE}).")
  int vggBatch;

  @Spec
  CommandSpec spec;

  public static void main(String[] args) {
    System.exit(new CommandLine(new CancelBench()).execute(args));
  }

  /** One case's series: the call uncancelled, and the time from making the cancellation to the call's return per mode. */
  record Series(String mode, List<Double> millis, int stopped) {}

  @Override
  public Integer call() throws Exception {
    if (deadlineMs < 1 || iterations < 1 || images < 1 || vggBatch < 1) {
      throw new ParameterException(spec.commandLine(), "need --deadline, --iterations, --images and --vgg16-batch >= 1");
    }
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    Duration deadline = Duration.ofMillis(deadlineMs);
    double loadAtStart = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    List<String> lines = new ArrayList<>();
    ExecutorService worker = Executors.newSingleThreadExecutor();
    try {
      try (KerasModel demo = KerasModel.load(demoModel())) {
        float[] batch = new float[images * 64 * 64 * 3];
        for (int i = 0; i < images; i++) {
          System.arraycopy(Shapes.sample(7, i).image().data(), 0, batch, i * 64 * 64 * 3, 64 * 64 * 3);
        }
        FloatTensor x = FloatTensor.of(batch, images, 64, 64, 3);
        CamOptions scoreCam = CamOptions.defaults().withMethod(CamMethod.SCORE_CAM);
        CamExplainer cam = CamExplainer.of(demo, scoreCam);
        err.println("Score-CAM ...");
        err.flush();
        List<Series> s = measure(deadline, c -> cam.withCancellation(c).explain(x),
            () -> cam.explain(x), worker);
        lines.add(line(String.format(Locale.ROOT, "Score-CAM, demo model, %d images (%s, batch %d)", images, cam.layer(),
            scoreCam.scoreCamBatchSize()), s, deadlineMs));

        FilterVisualizer vis = FilterVisualizer.of(demo, layer);
        List<Integer> all = IntStream.range(0, vis.filterCount()).boxed().toList();
        FilterOptions filters = FilterOptions.defaults();
        err.println("filter grid ...");
        err.flush();
        s = measure(deadline, c -> vis.run(all, filters.withCancellation(c)), () -> vis.run(all, filters), worker);
        lines.add(line(String.format(Locale.ROOT, "filter grid, demo model %s, %d filters x %d steps, whole layer", layer,
            all.size(), filters.totalSteps()), s, deadlineMs));
      }
      if (!noVgg16) {
        err.println("VGG16 forward ...");
        err.flush();
        String config = Vgg16.Options.defaults().withIncludeTop(false).withImagenetWeights(false).config();
        try (KerasModel vgg = KerasModel.fromConfig(config, LoadOptions.defaults().withRandomWeights(0))) {
          float[] v = new float[vggBatch * 224 * 224 * 3];
          for (int i = 0; i < v.length; i++) {
            v[i] = (float) (Math.sin(i * 0.01) * 100);
          }
          FloatTensor x = FloatTensor.of(v, vggBatch, 224, 224, 3);
          List<Series> s = measure(deadline, c -> {
            c.check(); // what a caller can do around one run: check before it
            vgg.predict(x);
          }, () -> vgg.predict(x), worker);
          lines.add(line(String.format(Locale.ROOT, "VGG16 no top 224x224 forward, batch %d (one graph run)", vggBatch), s,
              deadlineMs));
        }
      }
    } finally {
      worker.shutdownNow();
    }
    out.printf(Locale.ROOT, "cancel: deadline %d ms, %d iterations; medians (max) in ms, from making the cancellation to the"
        + " call's return; overrun = that minus the deadline%n", deadlineMs, iterations);
    out.printf(Locale.ROOT, "machine: %d cores, Java %s, load average %.2f at start, %.2f at end%n",
        Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"), loadAtStart,
        ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
    lines.forEach(out::println);
    out.flush();
    return 0;
  }

  /** Warms up, then per iteration: uncancelled, with the deadline, and {@code Future.cancel(true)} at the deadline. */
  private List<Series> measure(Duration deadline, Consumer<Cancellation> withCancellation, Runnable plain,
      ExecutorService worker) throws Exception {
    plain.run();
    List<Double> full = new ArrayList<>();
    List<Double> byDeadline = new ArrayList<>();
    List<Double> byInterrupt = new ArrayList<>();
    int[] stopped = new int[2];
    for (int i = 0; i < iterations; i++) {
      long t0 = System.nanoTime();
      plain.run();
      full.add((System.nanoTime() - t0) / 1e6);

      Cancellation c = Cancellation.after(deadline);
      long t1 = System.nanoTime();
      try {
        withCancellation.accept(c);
      } catch (CancelledException e) {
        stopped[0]++;
      }
      byDeadline.add((System.nanoTime() - t1) / 1e6);

      long[] end = new long[1];
      boolean[] wasStopped = new boolean[1];
      long t2 = System.nanoTime();
      Future<?> f = worker.submit(() -> {
        try {
          plain.run();
        } catch (CancelledException e) {
          wasStopped[0] = true;
        } finally {
          end[0] = System.nanoTime();
        }
      });
      long sleep = deadline.toNanos() - (System.nanoTime() - t2);
      if (sleep > 0) {
        TimeUnit.NANOSECONDS.sleep(sleep);
      }
      f.cancel(true);
      worker.submit(() -> { }).get(); // the stopped call has returned (the pool clears the flag before the next task)
      if (end[0] != 0) { // else cancelled before it started: nothing to time
        byInterrupt.add((end[0] - t2) / 1e6);
        stopped[1] += wasStopped[0] ? 1 : 0;
      }
    }
    return List.of(new Series("uncancelled", full, 0), new Series("deadline", byDeadline, stopped[0]),
        new Series("Future.cancel(true) at the deadline", byInterrupt, stopped[1]));
  }

  private String line(String what, List<Series> series, long deadlineMs) {
    StringBuilder b = new StringBuilder(what).append(':');
    for (Series s : series) {
      Timings t = new Timings(s.millis());
      b.append(String.format(Locale.ROOT, "%n  %-36s %8.1f (%8.1f)", s.mode(), t.median(), t.max()));
      if (!s.mode().equals("uncancelled")) {
        b.append(String.format(Locale.ROOT, "  overrun %7.1f (%7.1f), stopped %d/%d", t.median() - deadlineMs,
            t.max() - deadlineMs, s.stopped(), s.millis().size()));
      }
    }
    return b.toString();
  }

  /** {@code --model}, else the demo model under the convlens folder ({@code CONVLENS_HOME}), else under the working directory. */
  private Path demoModel() {
    if (model != null) {
      return model;
    }
    Path rel = Path.of("saved_models", "shapes");
    String home = System.getProperty("convlens.home", System.getenv("CONVLENS_HOME"));
    return home != null && Files.isDirectory(Path.of(home).resolve(rel)) ? Path.of(home).resolve(rel) : rel;
  }
}
