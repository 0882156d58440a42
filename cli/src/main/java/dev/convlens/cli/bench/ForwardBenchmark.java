package dev.convlens.cli.bench;

import dev.convlens.bridge.ConvlensException;
import dev.convlens.bridge.FloatTensor;
import dev.convlens.bridge.KerasModel;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Random;
import java.util.function.LongSupplier;
import org.jspecify.annotations.Nullable;

/**
 * Times one forward pass per setting on the same input, each setting a {@link ForwardEndpoint}
 * (a model loaded with that setting's session options, in this JVM or in a worker JVM). Every
 * iteration runs every setting once, the order rotating from one iteration to the next, so all
 * settings see the same machine state and none always runs right after another's garbage or
 * warm caches.
 */
public final class ForwardBenchmark {
  /** Progress callback: {@code done} of {@code total} iterations of one batch size, warm-up or timed. */
  @FunctionalInterface
  public interface Progress {
    Progress NONE = (batch, warmup, done, total) -> { };

    void update(int batch, boolean warmup, int done, int total);
  }

  private final int warmup;
  private final int iterations;
  private final long inputSeed;
  private final Progress progress;

  private ForwardBenchmark(int warmup, int iterations, long inputSeed, Progress progress) {
    if (warmup < 0) {
      throw new IllegalArgumentException("warm-up iterations must be 0 or more, got " + warmup);
    }
    if (iterations < 1) {
      throw new IllegalArgumentException("timed iterations must be 1 or more, got " + iterations);
    }
    this.warmup = warmup;
    this.iterations = iterations;
    this.inputSeed = inputSeed;
    this.progress = progress;
  }

  /** {@code warmup} untimed then {@code iterations} timed iterations, each running every setting once. */
  public static ForwardBenchmark of(int warmup, int iterations) {
    return new ForwardBenchmark(warmup, iterations, 42, Progress.NONE);
  }

  public ForwardBenchmark withProgress(@Nullable Progress progress) {
    return new ForwardBenchmark(warmup, iterations, inputSeed, progress == null ? Progress.NONE : progress);
  }

  public int warmup() {
    return warmup;
  }

  public int iterations() {
    return iterations;
  }

  /**
   * Benchmarks one batch size; the first endpoint is the baseline. All endpoints must take the same
   * input, fixed in size apart from the batch.
   */
  public ForwardResult run(List<? extends ForwardEndpoint> endpoints, int batch) {
    if (batch < 1) {
      throw new IllegalArgumentException("batch size must be 1 or more, got " + batch);
    }
    if (endpoints.isEmpty()) {
      throw new IllegalArgumentException("no settings to time");
    }
    long[] input = endpoints.get(0).inputShape();
    for (ForwardEndpoint e : endpoints) {
      if (!Arrays.equals(e.inputShape(), input)) {
        throw new IllegalArgumentException("setting " + e.setting().label() + " has input "
            + Arrays.toString(e.inputShape()) + ", " + endpoints.get(0).setting().label() + " " + Arrays.toString(input));
      }
    }
    int k = endpoints.size();
    long[][] wall = new long[k][iterations];
    long[][] cpu = new long[k][iterations];
    boolean cpuKnown = true;
    long[] outputShape = null;
    int total = warmup + iterations;
    for (int i = 0; i < total; i++) {
      int slot = i - warmup;
      for (int j = 0; j < k; j++) {
        int s = (i + j) % k; // rotate: each setting takes each place in the order equally often
        ForwardEndpoint.Call c = endpoints.get(s).forward(batch);
        outputShape = c.outputShape();
        if (slot >= 0) {
          wall[s][slot] = c.wallNanos();
          cpu[s][slot] = c.cpuNanos();
          cpuKnown &= c.cpuNanos() >= 0;
        }
      }
      boolean warm = slot < 0;
      progress.update(batch, warm, warm ? i + 1 : slot + 1, warm ? warmup : iterations);
    }
    List<ForwardResult.Row> rows = new ArrayList<>();
    for (int s = 0; s < k; s++) {
      rows.add(new ForwardResult.Row(endpoints.get(s).setting().label(), Timings.ofNanos(wall[s]),
          cpuKnown ? Timings.ofNanos(cpu[s]) : null));
    }
    long[] shape = input.clone();
    shape[0] = batch;
    return new ForwardResult(batch, shape, Objects.requireNonNull(outputShape), warmup, rows);
  }

  /** CPU time of the whole process (TensorFlow's native threads included), or null where unavailable. */
  static @Nullable LongSupplier processCpuClock() {
    if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os
        && os.getProcessCpuTime() >= 0) {
      return os::getProcessCpuTime;
    }
    return null;
  }

  /** The model's input shape with {@code batch} in front; it must be fixed apart from the batch axis. */
  static long[] batchShape(KerasModel model, int batch) {
    if (batch < 1) {
      throw new IllegalArgumentException("batch size must be 1 or more, got " + batch);
    }
    long[] shape = model.inputShape().clone();
    shape[0] = batch;
    long size = 1;
    for (int i = 1; i < shape.length; i++) {
      if (shape[i] < 0) {
        throw new ConvlensException("model '" + model.name() + "' input " + Arrays.toString(model.inputShape())
            + " has an open size; give it a fixed input size (--input-size)");
      }
      size = Math.multiplyExact(size, shape[i]);
    }
    if (Math.multiplyExact(size, (long) batch) > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException("batch " + batch + " of " + Arrays.toString(model.inputShape())
          + " does not fit in one Java float array");
    }
    return shape;
  }

  /** Uniform values in [-128, 128): about the range of Caffe-preprocessed pixels. */
  static FloatTensor syntheticInput(long[] shape, long seed) {
    long size = 1;
    for (long d : shape) {
      size *= d;
    }
    float[] data = new float[(int) size];
    Random random = new Random(seed);
    for (int i = 0; i < data.length; i++) {
      data[i] = random.nextFloat() * 256 - 128;
    }
    return new FloatTensor(shape, data);
  }
}
