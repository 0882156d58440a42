package dev.convlens.bridge.export;

import dev.convlens.bridge.ConvlensException;
import dev.convlens.bridge.FloatArray;
import dev.convlens.bridge.KerasModel;
import dev.convlens.bridge.graph.ModelVariable;
import dev.convlens.bridge.keras.WeightArray;
import dev.convlens.bridge.keras.WeightSource;
import dev.convlens.bridge.keras.WeightSpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TFloat32;

/**
 * The current values of a model's variables, read from its session: after training they differ
 * from what the model was loaded with. As a {@link WeightSource} (keyed by layer path) they rebuild,
 * save or export the trained model; {@link #read}/{@link #assign} snapshot and restore a subset
 * (keeping the best weights of a training run). Values move in bounded chunks of native memory.
 */
public final class ModelWeights implements WeightSource {
  private static final long CHUNK_VALUES = 64L << 20;

  private final Map<List<String>, List<WeightArray>> byLayer;

  private ModelWeights(Map<List<String>, List<WeightArray>> byLayer) {
    this.byLayer = byLayer;
  }

  /** A snapshot of every variable of {@code model}, taken now. */
  public static ModelWeights of(KerasModel model) {
    Map<ModelVariable, FloatArray> values = read(model, model.variables());
    Map<List<String>, List<WeightArray>> byLayer = new LinkedHashMap<>();
    for (ModelVariable v : model.variables()) {
      byLayer.computeIfAbsent(v.layerPath(), k -> new ArrayList<>())
          .add(new WeightArray(v.spec().name() + ":0", values.get(v)));
    }
    byLayer.replaceAll((k, list) -> List.copyOf(list));
    return new ModelWeights(java.util.Collections.unmodifiableMap(byLayer));
  }

  /** Every layer path with weights, in the model's variable order, with the weights in declaration order. */
  public Map<List<String>, List<WeightArray>> layers() {
    return byLayer;
  }

  @Override
  public List<WeightArray> weights(List<String> layerPath, String layerClass, List<WeightSpec> expected) {
    return byLayer.getOrDefault(layerPath, List.of());
  }

  /** The current values of {@code variables} (all of {@code model}), in their order. */
  public static Map<ModelVariable, FloatArray> read(KerasModel model, Collection<ModelVariable> variables) {
    Session session = model.session();
    Map<ModelVariable, FloatArray> out = new LinkedHashMap<>();
    List<ModelVariable> pending = new ArrayList<>(variables);
    int at = 0;
    while (at < pending.size()) {
      Session.Runner runner = session.runner();
      List<ModelVariable> chunk = new ArrayList<>();
      long values = 0;
      while (at < pending.size() && (chunk.isEmpty() || values < CHUNK_VALUES)) {
        ModelVariable v = pending.get(at++);
        runner.fetch(v.variable());
        chunk.add(v);
        values += v.spec().count();
      }
      try (Result r = runner.run()) {
        for (int i = 0; i < chunk.size(); i++) {
          TFloat32 t = (TFloat32) r.get(i);
          float[] data = new float[(int) t.size()];
          t.copyTo(DataBuffers.of(data, false, false));
          out.put(chunk.get(i), new FloatArray(t.shape().asArray(), data));
        }
      }
    }
    return out;
  }

  /** Sets variables to the given values (e.g. a snapshot from {@link #read}); shapes must match. */
  public static void assign(KerasModel model, Map<ModelVariable, FloatArray> values) {
    Session session = model.session();
    List<Map.Entry<ModelVariable, FloatArray>> pending = new ArrayList<>(values.entrySet());
    int at = 0;
    while (at < pending.size()) {
      List<Tensor> tensors = new ArrayList<>();
      try {
        Session.Runner runner = session.runner();
        long count = 0;
        while (at < pending.size() && (tensors.isEmpty() || count < CHUNK_VALUES)) {
          var e = pending.get(at++);
          ModelVariable v = e.getKey();
          FloatArray value = e.getValue();
          if (!Arrays.equals(v.spec().shape(), value.shape())) {
            throw new ConvlensException("cannot assign a value of shape " + Arrays.toString(value.shape())
                + " to variable '" + v.name() + "' of shape " + Arrays.toString(v.spec().shape()));
          }
          TFloat32 t = TFloat32.tensorOf(Shape.of(value.shape()), DataBuffers.of(value.data(), true, false));
          tensors.add(t);
          runner.feed(v.initValue(), t).addTarget(v.assign());
          count += value.size();
        }
        runner.run().close(); // assignments only: nothing to read
      } finally {
        tensors.forEach(Tensor::close);
      }
    }
  }
}
