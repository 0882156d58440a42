package dev.convlens.cli.bench;

import dev.convlens.bridge.ConvlensException;
import dev.convlens.bridge.FloatArray;
import dev.convlens.bridge.KerasModel;
import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.Random;
import java.util.function.LongSupplier;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;

/**
 * Times a model's forward pass two ways on the same graph, session and input: through
 * {@link KerasModel#predict} (Java array to tensor, run, tensor to Java array) and as a bare
 * {@code session.runner().feed(input, tensor).fetch(output).run()} with a tensor made once.
 * The two alternate within every iteration, and which goes first alternates between iterations,
 * so both see the same machine state and neither always runs right after the other's garbage.
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

  /** {@code warmup} untimed then {@code iterations} timed iterations, each running both sides once. */
  public static ForwardBenchmark of(int warmup, int iterations) {
    return new ForwardBenchmark(warmup, iterations, 42, Progress.NONE);
  }

  public ForwardBenchmark withProgress(Progress progress) {
    return new ForwardBenchmark(warmup, iterations, inputSeed, progress == null ? Progress.NONE : progress);
  }

  public int warmup() {
    return warmup;
  }

  public int iterations() {
    return iterations;
  }

  /** Benchmarks one batch size on {@code model}, whose input must have a fixed size apart from the batch. */
  public ForwardResult run(KerasModel model, int batch) {
    long[] shape = batchShape(model, batch);
    FloatArray input = syntheticInput(shape, inputSeed);
    Session session = model.session();
    Placeholder<TFloat32> feed = model.inputPlaceholder();
    Operand<TFloat32> fetch = model.output();
    LongSupplier cpu = processCpuClock();
    Series api = new Series(iterations, cpu);
    Series bare = new Series(iterations, cpu);
    long[][] outputShape = new long[1][];
    try (TFloat32 tensor = TFloat32.tensorOf(Shape.of(shape), DataBuffers.of(input.data(), true, false))) {
      Runnable viaApi = () -> outputShape[0] = model.predict(input).shape();
      Runnable viaSession = () -> session.runner().feed(feed, tensor).fetch(fetch).run().close();
      int total = warmup + iterations;
      for (int i = 0; i < total; i++) {
        int slot = i - warmup;
        if (i % 2 == 0) {
          api.time(viaApi, slot);
          bare.time(viaSession, slot);
        } else {
          bare.time(viaSession, slot);
          api.time(viaApi, slot);
        }
        boolean warm = slot < 0;
        progress.update(batch, warm, warm ? i + 1 : slot + 1, warm ? warmup : iterations);
      }
    }
    return new ForwardResult(batch, shape, outputShape[0], warmup, Timings.ofNanos(api.wall), Timings.ofNanos(bare.wall),
        cpu == null ? null : Timings.ofNanos(api.cpu), cpu == null ? null : Timings.ofNanos(bare.cpu));
  }

  /** Wall and process CPU nanoseconds of one side's timed calls. */
  private static final class Series {
    final long[] wall;
    final long[] cpu;
    private final LongSupplier cpuClock;

    Series(int iterations, LongSupplier cpuClock) {
      this.wall = new long[iterations];
      this.cpu = new long[iterations];
      this.cpuClock = cpuClock;
    }

    /** Runs {@code call}; keeps its times in {@code slot} unless that is negative (warm-up). */
    void time(Runnable call, int slot) {
      long c0 = cpuClock == null ? 0 : cpuClock.getAsLong();
      long t0 = System.nanoTime();
      call.run();
      long t1 = System.nanoTime();
      long c1 = cpuClock == null ? 0 : cpuClock.getAsLong();
      if (slot >= 0) {
        wall[slot] = t1 - t0;
        cpu[slot] = c1 - c0;
      }
    }
  }

  /** CPU time of the whole process (TensorFlow's native threads included), or null where unavailable. */
  static LongSupplier processCpuClock() {
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
  static FloatArray syntheticInput(long[] shape, long seed) {
    long size = 1;
    for (long d : shape) {
      size *= d;
    }
    float[] data = new float[(int) size];
    Random random = new Random(seed);
    for (int i = 0; i < data.length; i++) {
      data[i] = random.nextFloat() * 256 - 128;
    }
    return new FloatArray(shape, data);
  }
}
