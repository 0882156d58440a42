package dev.convlens.bridge.fuzz;

import dev.convlens.bridge.ConvlensException;
import dev.convlens.bridge.FloatTensor;
import dev.convlens.bridge.KerasModel;
import dev.convlens.bridge.LoadOptions;
import dev.convlens.bridge.fuzz.Mutations.Case;
import dev.convlens.bridge.fuzz.Seeds.Kind;
import dev.convlens.bridge.fuzz.Seeds.Seed;
import dev.convlens.bridge.image.KerasImages;
import dev.convlens.bridge.io.Npy;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Runs mutated cases one at a time, each on a fresh daemon thread under a time bound, and sorts
 * every outcome: read and finite, a typed {@link ConvlensException}, or a defect (any other
 * exception or error, an out-of-memory error, a hang, or non-finite values read from finite input).
 */
final class FuzzRun {
  /** How one case ended. Only the first two are acceptable. */
  enum Outcome {
    READ_FINITE, TYPED_EXCEPTION,
    /**
     * Finite but huge weights (a weight set to 3e38, or bytes flipped in the weight data) overflowing in
     * float arithmetic: the model's own math, not a reading defect.
     */
    OVERFLOW_TO_NON_FINITE,
    NON_FINITE_OUTPUT,
    /** Loaded, then TensorFlow refused to run it: a config the load should have refused. */
    FAILED_AT_PREDICT,
    UNTYPED_EXCEPTION, OUT_OF_MEMORY, HANG
  }

  record Result(Case c, Outcome outcome, String detail) {}

  private final long timeoutSeconds;
  private final List<Result> results = new ArrayList<>();

  FuzzRun(long timeoutSeconds) {
    this.timeoutSeconds = timeoutSeconds;
  }

  List<Result> run(List<Seed> seeds, int cases, long seed, Path dir) {
    SplittableRandom r = new SplittableRandom(seed);
    for (int i = 0; i < cases; i++) {
      Seed s = seeds.get(i % seeds.size());
      Case c = Mutations.mutate(i, s, r.split(), dir);
      Result res = runOne(c);
      results.add(res);
      if (res.outcome() == Outcome.HANG) {
        break; // the stuck thread may hold the resources the next cases need
      }
    }
    return List.copyOf(results);
  }

  private Result runOne(Case c) {
    ExecutorService one = Executors.newSingleThreadExecutor(task -> {
      Thread t = new Thread(task, "fuzz-case-" + c.id());
      t.setDaemon(true);
      return t;
    });
    try {
      Future<Outcome> f = one.submit(() -> read(c));
      return new Result(c, f.get(timeoutSeconds, TimeUnit.SECONDS), "");
    } catch (TimeoutException e) {
      return new Result(c, Outcome.HANG, "no answer within " + timeoutSeconds + " s");
    } catch (ExecutionException e) {
      Throwable t = e.getCause();
      if (t instanceof OutOfMemoryError) {
        return new Result(c, Outcome.OUT_OF_MEMORY, t.toString());
      }
      if (t instanceof dev.convlens.bridge.InvalidInputException && String.valueOf(t.getMessage())
          .contains("the TensorFlow run failed")) {
        return new Result(c, Outcome.FAILED_AT_PREDICT, t.getMessage());
      }
      if (t instanceof ConvlensException) {
        return new Result(c, Outcome.TYPED_EXCEPTION, t.getClass().getSimpleName() + ": " + t.getMessage());
      }
      return new Result(c, Outcome.UNTYPED_EXCEPTION, stackHead(t));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("fuzz run interrupted", e);
    } finally {
      one.shutdownNow();
    }
  }

  private static Outcome read(Case c) {
    Kind kind = c.seed().kind();
    FloatTensor out;
    if (kind == Kind.IMAGE) {
      out = KerasImages.loadImg(c.file(), 16, 16);
    } else if (kind == Kind.NPY) {
      out = Npy.read(c.file());
    } else {
      LoadOptions options = c.weights() == null ? LoadOptions.defaults() : LoadOptions.defaults().withWeights(c.weights());
      try (KerasModel m = KerasModel.load(c.file(), options)) {
        long[] shape = m.inputShape();
        long[] batch = new long[shape.length];
        batch[0] = 1;
        int n = 1;
        for (int i = 1; i < shape.length; i++) {
          batch[i] = shape[i] < 0 ? 16 : shape[i];
          n = Math.multiplyExact(n, (int) batch[i]);
        }
        float[] x = new float[n];
        SplittableRandom r = new SplittableRandom(c.id());
        for (int i = 0; i < n; i++) {
          x[i] = (float) r.nextDouble();
        }
        out = m.predict(new FloatTensor(batch, x));
      }
    }
    for (float v : out.data()) {
      if (!Float.isFinite(v)) {
        boolean finiteDamage = c.mutation().contains(" one value 3.0E38") || c.mutation().startsWith("flipped")
            || c.mutation().startsWith("zip entry model.weights.h5: flipped");
        return (kind == Kind.MODEL || kind == Kind.MODEL_JSON_PLUS_WEIGHTS) && finiteDamage
            ? Outcome.OVERFLOW_TO_NON_FINITE : Outcome.NON_FINITE_OUTPUT;
      }
    }
    return Outcome.READ_FINITE;
  }

  static Map<String, Integer> summary(List<Result> results) {
    Map<String, Integer> counts = new TreeMap<>();
    for (Result r : results) {
      counts.merge(r.c().seed().format() + " " + r.outcome(), 1, Integer::sum);
    }
    return counts;
  }

  private static String stackHead(Throwable t) {
    StringBuilder s = new StringBuilder(t.toString());
    StackTraceElement[] st = t.getStackTrace();
    for (int i = 0; i < Math.min(6, st.length); i++) {
      s.append("\n      at ").append(st[i]);
    }
    for (Throwable cause = t.getCause(); cause != null && cause != t; cause = cause.getCause()) {
      s.append("\n    caused by ").append(cause);
    }
    return s.toString();
  }
}
