package dev.convlens.cli.bench;

import dev.convlens.bridge.FloatTensor;
import dev.convlens.bridge.KerasModel;
import dev.convlens.bridge.spi.ModelGraph;
import java.util.HashMap;
import java.util.Map;
import java.util.function.LongSupplier;
import org.jspecify.annotations.Nullable;

/**
 * Forward passes of a model in this JVM, through {@code predict} (bulk copies) or, for the
 * {@code elementwise} setting, through a run with element-wise NdArray copies. Does not own the
 * model. TensorFlow sizes its thread pools once per process, from the first session: models
 * loaded later with other thread counts share those pools, so thread settings are only compared
 * fairly across processes ({@link WorkerProcess}).
 */
public final class InProcessEndpoint implements ForwardEndpoint {
  /** The synthetic input's seed: every endpoint, in every process, feeds the same values. */
  static final long INPUT_SEED = 42;

  private final ForwardSetting setting;
  private final KerasModel model;
  private final @Nullable LongSupplier cpuClock = ForwardBenchmark.processCpuClock();
  private final Map<Integer, FloatTensor> inputs = new HashMap<>();

  public InProcessEndpoint(ForwardSetting setting, KerasModel model) {
    if (setting == null || model == null) {
      throw new IllegalArgumentException("an endpoint needs a setting and a model");
    }
    this.setting = setting;
    this.model = model;
  }

  @Override
  public ForwardSetting setting() {
    return setting;
  }

  @Override
  public long[] inputShape() {
    return model.inputShape();
  }

  @Override
  public Call forward(int batch) {
    FloatTensor x = inputs.computeIfAbsent(batch,
        b -> ForwardBenchmark.syntheticInput(ForwardBenchmark.batchShape(model, b), INPUT_SEED));
    long c0 = cpuClock == null ? -1 : cpuClock.getAsLong();
    long t0 = System.nanoTime();
    long[] shape = setting.elementwise() ? elementwise(x) : model.predict(x).shape();
    long t1 = System.nanoTime();
    long c1 = cpuClock == null ? 0 : cpuClock.getAsLong();
    return new Call(t1 - t0, cpuClock == null ? -1 : c1 - c0, shape);
  }

  private long[] elementwise(FloatTensor x) {
    ModelGraph g = model.graph();
    return g.newRun().feedInput(x).fetch(g.output()).elementwiseCopies().run().get(0).shape();
  }

  @Override
  public void close() {
    // the caller owns the model
  }
}
