package dev.convlens.cli.bench;

import dev.convlens.bridge.ConvlensException;
import dev.convlens.bridge.FloatArray;
import dev.convlens.bridge.KerasModel;
import java.util.Arrays;
import java.util.Random;
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
    long[] apiNanos = new long[iterations];
    long[] bareNanos = new long[iterations];
    long[] outputShape = null;
    try (TFloat32 tensor = TFloat32.tensorOf(Shape.of(shape), DataBuffers.of(input.data(), true, false))) {
      int total = warmup + iterations;
      for (int i = 0; i < total; i++) {
        long api;
        long bare;
        if (i % 2 == 0) {
          long t0 = System.nanoTime();
          outputShape = model.predict(input).shape();
          long t1 = System.nanoTime();
          session.runner().feed(feed, tensor).fetch(fetch).run().close();
          long t2 = System.nanoTime();
          api = t1 - t0;
          bare = t2 - t1;
        } else {
          long t0 = System.nanoTime();
          session.runner().feed(feed, tensor).fetch(fetch).run().close();
          long t1 = System.nanoTime();
          outputShape = model.predict(input).shape();
          long t2 = System.nanoTime();
          bare = t1 - t0;
          api = t2 - t1;
        }
        boolean warm = i < warmup;
        if (!warm) {
          apiNanos[i - warmup] = api;
          bareNanos[i - warmup] = bare;
        }
        progress.update(batch, warm, warm ? i + 1 : i + 1 - warmup, warm ? warmup : iterations);
      }
    }
    return new ForwardResult(batch, shape, outputShape, warmup, Timings.ofNanos(apiNanos), Timings.ofNanos(bareNanos));
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
