package dev.convlens.cli.bench;

import dev.convlens.bridge.FloatTensor;
import dev.convlens.bridge.KerasModel;
import dev.convlens.bridge.LayerInfo;
import dev.convlens.bridge.LayerTrait;
import dev.convlens.bridge.LoadOptions;
import dev.convlens.bridge.applications.Vgg16;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code convlens bench activations}: the 13 conv layers of VGG16 (no top, random weights) fetched
 * in one session run versus 13 runs that each fetch one layer, interleaved (order alternating per
 * iteration so neither side always runs warm), printing both medians and their ratio.
 */
@Command(name = "activations", mixinStandardHelpOptions = true,
    description = {"Time fetching all 13 conv layers of VGG16 (random weights) in one session run against "
        + "13 separate runs of one layer each; print medians and the ratio."})
public final class ActivationsBench implements Callable<Integer> {
  @Option(names = "--input-size", defaultValue = "224", paramLabel = "N", description = "Input height and width (default ${DEFAULT-VALUE}).")
  int inputSize;

  @Option(names = "--batch", defaultValue = "1", paramLabel = "N", description = "Images per run (default ${DEFAULT-VALUE}).")
  int batch;

  @Option(names = "--warmup", defaultValue = "2", paramLabel = "N", description = "Untimed iterations (default ${DEFAULT-VALUE}).")
  int warmup;

  @Option(names = "--iterations", defaultValue = "10", paramLabel = "N",
      description = "Timed iterations, each timing both sides once (default ${DEFAULT-VALUE}).")
  int iterations;

  @Option(names = "--random-weights", defaultValue = "42", paramLabel = "SEED",
      description = "Seed of the random weights and of the random input (default ${DEFAULT-VALUE}).")
  long seed;

  @Spec
  CommandSpec spec;

  /** Both sides' times of one iteration, taken in the same iterations. */
  public record Result(List<String> layers, long[] inputShape, Timings oneRun, Timings separateRuns) {
    public int iterations() {
      return oneRun.count();
    }

    public double oneRunMedianMs() {
      return oneRun.median();
    }

    public double separateRunsMedianMs() {
      return separateRuns.median();
    }

    /** How many times longer the separate runs take. */
    public double ratio() {
      return separateRunsMedianMs() / oneRunMedianMs();
    }

    /** The separate runs against the one run, iteration by iteration. */
    public PairedComparison paired() {
      return PairedComparison.of(separateRuns, oneRun);
    }
  }

  /** Runs the benchmark standalone: {@code java -cp convlens.jar dev.convlens.cli.bench.ActivationsBench ...}. */
  public static void main(String[] args) {
    System.exit(new CommandLine(new ActivationsBench()).execute(args));
  }

  @Override
  public Integer call() {
    check(inputSize >= 32, "--input-size", inputSize, "32 or more (VGG16 pools five times)");
    check(batch >= 1, "--batch", batch, "1 or more");
    check(warmup >= 0, "--warmup", warmup, "0 or more");
    check(iterations >= 1, "--iterations", iterations, "1 or more");
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    long start = System.nanoTime();
    try (KerasModel m = KerasModel.fromConfig(Vgg16.Options.defaults().withIncludeTop(false).withImagenetWeights(false)
        .withInputSize(inputSize, inputSize).config(), LoadOptions.defaults().withRandomWeights(seed))) {
      err.printf(Locale.ROOT, "loaded VGG16 (no top, %dx%d, random weights seed %d) in %.1f s%n", inputSize, inputSize,
          seed, (System.nanoTime() - start) / 1e9);
      Result r = run(m, input(), (done, total) -> {
        err.print("\riteration " + done + "/" + total + "   ");
        err.flush();
      });
      err.println();
      out.printf(Locale.ROOT, "activations: %d conv layers of VGG16 (no top, random weights seed %d), input %s; "
          + "%d warm-up + %d timed iterations, sides interleaved%n", r.layers().size(), seed,
          Arrays.toString(r.inputShape()), warmup, r.iterations());
      out.printf(Locale.ROOT, "one run, %d layers fetched     median %9.1f ms%n", r.layers().size(), r.oneRunMedianMs());
      out.printf(Locale.ROOT, "%d runs, one layer each        median %9.1f ms%n", r.layers().size(), r.separateRunsMedianMs());
      out.printf(Locale.ROOT, "ratio (separate / one run)            %9.2f x%n", r.ratio());
      PairedComparison p = r.paired();
      out.printf(Locale.ROOT, "paired: median per-iteration change %+.1f%%, Wilcoxon signed-rank p = %s (%d pairs)%n",
          p.medianChangePercent(), Double.isNaN(p.pValue()) ? "n/a" : String.format(Locale.ROOT, "%.3g", p.pValue()),
          p.pairs());
      out.printf(Locale.ROOT, "machine: %d cores, Java %s, %s %s%n", Runtime.getRuntime().availableProcessors(),
          System.getProperty("java.version"), System.getProperty("os.name"), System.getProperty("os.arch"));
      out.flush();
    }
    return 0;
  }

  interface Progress {
    void update(int done, int total);
  }

  Result run(KerasModel m, FloatTensor x, Progress progress) {
    List<String> convs = new ArrayList<>();
    for (LayerInfo l : m.layers()) {
      if (l.is(LayerTrait.CONVOLUTIONAL)) {
        convs.add(l.path());
      }
    }
    long checksum = 0;
    long[] one = new long[iterations];
    long[] separate = new long[iterations];
    int total = warmup + iterations;
    for (int i = 0; i < total; i++) {
      boolean oneFirst = i % 2 == 0;
      long a = 0;
      long b = 0;
      for (int side = 0; side < 2; side++) {
        long t0 = System.nanoTime();
        if ((side == 0) == oneFirst) {
          checksum += m.activations(x, convs).size();
          a = System.nanoTime() - t0;
        } else {
          for (String l : convs) {
            checksum += m.activations(x, List.of(l)).size();
          }
          b = System.nanoTime() - t0;
        }
      }
      if (i >= warmup) {
        one[i - warmup] = a;
        separate[i - warmup] = b;
      }
      progress.update(i + 1, total);
    }
    if (checksum != (long) total * 2 * convs.size()) {
      throw new IllegalStateException("missing layer outputs"); // also keeps the fetches from being optimized away
    }
    return new Result(List.copyOf(convs), x.shape(), Timings.ofNanos(one), Timings.ofNanos(separate));
  }

  private FloatTensor input() {
    SplittableRandom r = new SplittableRandom(seed);
    float[] d = new float[batch * inputSize * inputSize * 3];
    for (int i = 0; i < d.length; i++) {
      d[i] = (float) (r.nextDouble() * 255 - 120); // about caffe-preprocessed pixel range
    }
    return FloatTensor.of(d, batch, inputSize, inputSize, 3);
  }

  private void check(boolean ok, String option, int value, String expected) {
    if (!ok) {
      throw new ParameterException(spec.commandLine(), option + " must be " + expected + ", got " + value);
    }
  }
}
