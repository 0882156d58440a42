package dev.convlens.finetune.training;

import com.fasterxml.jackson.databind.JsonNode;
import dev.convlens.bridge.InvalidInputException;
import dev.convlens.bridge.KerasModel;
import dev.convlens.bridge.LayerInfo;
import dev.convlens.bridge.LayerTrait;
import dev.convlens.bridge.spi.LayerHandle;
import dev.convlens.bridge.spi.ModelGraph;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * What training needs to know about a classifier's last layers, read from the model itself (so a
 * saved and reloaded classifier trains and evaluates like a new one): the output layer, whether it
 * is a Dense with sigmoid or softmax (then its logits are reachable), and the Dropout feeding it:
 * the layer right before the output that the registry marks {@link LayerTrait#DROPOUT}; training
 * applies it as Keras' {@code Dropout} does.
 *
 * @param output path of the output layer
 * @param activation the output layer's activation ({@code sigmoid}, {@code softmax}, or other)
 * @param hasLogits the output is a Dense/Conv with sigmoid or softmax: its pre-activation is the logits
 * @param dropout path of the Dropout layer right before the output, or null
 * @param dropoutRate its rate (0 without one)
 * @param dropoutInput path of the layer feeding that Dropout, or null
 * @param outputs units of the output
 */
record HeadLayers(String output, String activation, boolean hasLogits, @Nullable String dropout, double dropoutRate,
    @Nullable String dropoutInput, int outputs) {

  static HeadLayers of(KerasModel model) {
    ModelGraph graph = model.graph();
    String outName = graph.output().op().name();
    LayerInfo out = null;
    for (LayerInfo l : model.layers()) {
      if (graph.layer(l.path()).output().op().name().equals(outName)) {
        out = l;
      }
    }
    if (out == null) {
      throw new InvalidInputException("model '" + model.name() + "': cannot find the layer producing its output");
    }
    long[] shape = out.outputShape();
    if (shape.length != 2) {
      throw new InvalidInputException("model '" + model.name() + "' is not a classifier: its output '" + out.path()
          + "' has shape " + java.util.Arrays.toString(shape) + ", expected [batch, classes]");
    }
    JsonNode modelConfig = ClassifierConfig.parse(model.config());
    JsonNode config = layerConfig(modelConfig, out.path());
    String activation = config == null ? "" : config.path("activation").asText("");
    LayerHandle h = graph.layer(out.path());
    boolean logits = (activation.equals("sigmoid") || activation.equals("softmax")) && h.preActivation() != h.output();
    String dropout = null;
    String dropoutInput = null;
    double rate = 0;
    List<String> inbound = out.inbound();
    if (inbound.size() == 1 && !out.path().contains("/")) {
      LayerInfo before = model.layer(inbound.get(0));
      if (before.is(LayerTrait.DROPOUT) && before.inbound().size() == 1) {
        JsonNode dc = layerConfig(modelConfig, before.path());
        rate = dc == null ? 0 : dc.path("rate").asDouble(0);
        if (rate > 0) {
          dropout = before.path();
          dropoutInput = model.layer(before.inbound().get(0)).path();
        }
      }
    }
    return new HeadLayers(out.path(), activation, logits, dropout, rate, dropoutInput, (int) shape[1]);
  }

  /** The config of a top-level layer (the head's layers are top-level). */
  private static @Nullable JsonNode layerConfig(JsonNode model, String path) {
    JsonNode c = model.path("config");
    JsonNode layers = c.isArray() ? c : c.path("layers");
    for (JsonNode l : layers) {
      String n = l.path("config").path("name").asText(l.path("name").asText());
      if (n.equals(path)) {
        return l.path("config");
      }
    }
    return null;
  }

  boolean binary() {
    return outputs == 1;
  }
}
