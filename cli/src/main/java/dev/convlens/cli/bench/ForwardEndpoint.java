package dev.convlens.cli.bench;

/**
 * Where {@link ForwardBenchmark} runs one setting's forward passes: a model in this JVM
 * ({@link InProcessEndpoint}) or in a worker process of its own ({@link WorkerProcess}).
 */
public interface ForwardEndpoint extends AutoCloseable {
  /**
   * One timed forward pass: wall and CPU nanoseconds of the process that ran it ({@code cpuNanos}
   * negative where the JVM cannot read CPU time), and the output's shape.
   */
  record Call(long wallNanos, long cpuNanos, long[] outputShape) {
    public Call {
      outputShape = outputShape.clone();
    }

    @Override
    public long[] outputShape() {
      return outputShape.clone();
    }
  }

  ForwardSetting setting();

  /** The model's input shape, batch axis -1; fixed apart from the batch axis. */
  long[] inputShape();

  /** Runs and times one forward pass of {@code batch} synthetic images (the same input for every call and endpoint). */
  Call forward(int batch);

  @Override
  void close();
}
