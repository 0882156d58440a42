package dev.convlens.bridge.spi;

import dev.convlens.bridge.graph.LayerOutput;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * What an extension builder may do to a model's graph, valid only while the builder runs (the
 * model's write lock is held, so no run is in flight): add ops in a name scope of its own and add
 * gradients. Read-only views of the model come from {@link #model()}.
 */
public interface GraphScope {
  ModelGraph model();

  /** Ops in a new name scope, made unique within the model from {@code name}. */
  Ops ops(String name);

  /** {@code d(sum of y)/d(x)} for each {@code x}; an entry is null where {@code y} does not depend on it. */
  @Nullable Output<?>[] gradients(Operand<?> y, Operand<?>... xs);

  /**
   * Calls a layer of the model again on other inputs, sharing its weights (as calling a Keras layer
   * twice does), with its ops in {@code tf}'s scope.
   */
  LayerOutput callLayer(String nameOrPath, Ops tf, List<Operand<TFloat32>> inputs);

  /** {@code sum_i dys[i] * d(ys[i])/d(x)} for each {@code x}: a backward pass seeded by {@code dys}. */
  Output<?>[] gradients(Operand<?>[] ys, Operand<?>[] xs, Operand<?>[] dys);
}
