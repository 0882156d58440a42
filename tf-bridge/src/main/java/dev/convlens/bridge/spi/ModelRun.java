package dev.convlens.bridge.spi;

import dev.convlens.bridge.Cancellation;
import dev.convlens.bridge.FloatTensor;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Op;
import org.tensorflow.types.TFloat32;

/**
 * One session run with Java arrays in and out: feeds (the model input, or any tensor of the graph
 * such as a cached layer output), fetches and targets. {@link #run()} takes the model's read lock,
 * fails with {@code ModelClosedException} on a closed model, copies in bulk both ways and closes
 * every native tensor before returning. A builder is for one run on one thread.
 *
 * <p>Every run checks its {@link Cancellation} (by default {@link Cancellation#none()}: only the
 * thread's interrupt flag) before it starts, so a pending interrupt stops it before any work.
 */
public interface ModelRun {
  /** Feeds the model input: a batch {@code [N, ...]} or one sample without the batch axis, checked against the input shape. */
  ModelRun feedInput(FloatTensor batch);

  /** Feeds the model input of that name (multi-input models), checked against its shape. */
  ModelRun feedInput(String inputName, FloatTensor batch);

  ModelRun feed(Operand<TFloat32> tensor, FloatTensor value);

  /** Adds a fetch; {@link #run()} returns the fetched values in the order they were added. */
  ModelRun fetch(Operand<TFloat32> tensor);

  /** Adds an op to run for its effect (an assignment, an optimizer step). */
  ModelRun target(Op op);

  /**
   * Copies values through the NdArray API ({@code DataBuffers.of}, {@code copyTo}) instead of the raw
   * tensor memory: the path training used before. Only for the benchmark that compares the two.
   */
  ModelRun elementwiseCopies();

  /**
   * Checks {@code cancellation} before the run (before and after waiting for the read lock) and
   * throws {@code CancelledException} instead of running. A run once started runs to its end:
   * TensorFlow's run timeout ({@code RunOptions.timeout_in_ms}) cancels only ops that wait (queues),
   * not compute kernels, so it cannot shorten a forward pass ({@code convlens bench cancel}).
   */
  ModelRun cancellation(Cancellation cancellation);

  List<FloatTensor> run();
}
