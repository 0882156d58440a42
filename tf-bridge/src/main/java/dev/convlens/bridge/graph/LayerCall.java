package dev.convlens.bridge.graph;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * What it takes to call a built layer again on other inputs, sharing its variables, as calling a
 * Keras layer twice does: its builder, config and weights. Training uses it to re-apply a head layer
 * to a dropout-masked input.
 */
public record LayerCall(LayerBuilder builder, String className, List<String> path, JsonNode config,
    List<Operand<TFloat32>> weights, @Nullable Path source) {
  public LayerOutput apply(Ops tf, List<Operand<TFloat32>> inputs) {
    LayerContext ctx = new LayerContext(className, path, config, inputs.stream().map(Operand::shape).toList(), tf, source);
    return builder.call(ctx, inputs, weights);
  }
}
