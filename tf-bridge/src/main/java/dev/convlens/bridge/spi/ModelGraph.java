package dev.convlens.bridge.spi;

import dev.convlens.bridge.FloatTensor;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.tensorflow.Operand;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;

/**
 * The one door through which convlens modules (visualize, finetune, cli) reach a loaded model's
 * graph: read-only handles of its input, output, layers and variables; a per-model cache of
 * extensions, each built once under the write lock and freed with the model; and a run builder
 * that holds the read lock and checks that the model is open. The TF {@code Graph} and
 * {@code Session} themselves never leave the model.
 */
public interface ModelGraph {
  String modelName();

  Placeholder<TFloat32> input();

  /** The model's (first) output. */
  Operand<TFloat32> output();

  /** The names of the model's inputs (its input layers), in the config's order; {@link #input()} is the first. */
  List<String> inputNames();

  /** The names of the model's outputs (the layers that produce them), in the config's order. */
  List<String> outputNames();

  /** One output by name; {@link #output()} is the first. */
  Operand<TFloat32> output(String outputName);

  /** The static shape of {@link #output()}, batch axis -1; read without touching the graph. */
  long[] outputShape();

  /** A layer by nested path ({@code vgg16/block5_conv3}) or by Keras name when that is unique. */
  LayerHandle layer(String nameOrPath);

  /** Every weight of the model, in build order. */
  List<ModelVariable> variables();

  /**
   * The extension stored under {@code key}, built by {@code builder} on first use. The builder runs
   * once per model and key, under the model's write lock (runs wait, and each later run re-plans:
   * build extensions before serving); later calls return the same value without locking.
   */
  <T> T extension(ExtensionKey<T> key, Function<GraphScope, T> builder);

  /** A new run builder. */
  ModelRun newRun();

  /** The current values of {@code variables}, read in bounded chunks of native memory. */
  Map<ModelVariable, FloatTensor> readVariables(Collection<ModelVariable> variables);

  /** Sets variables to the given values (shapes must match), in bounded chunks of native memory. */
  void assignVariables(Map<ModelVariable, FloatTensor> values);

  /** How many ops the graph holds now: lets tests check that repeated work does not grow it. */
  int operationCount();
}
