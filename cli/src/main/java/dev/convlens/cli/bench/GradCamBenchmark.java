package dev.convlens.cli.bench;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.convlens.bridge.FloatTensor;
import dev.convlens.bridge.KerasModel;
import dev.convlens.bridge.LoadOptions;
import dev.convlens.bridge.applications.Vgg16;
import java.util.Arrays;
import java.util.Random;

/**
 * The model and inputs of {@code bench gradcam} ({@link GradCamBenchCommand}): VGG16 with a small
 * dense head and random weights, and noise in the range of Caffe-preprocessed images.
 */
public final class GradCamBenchmark {
  /**
   * VGG16 without top at {@code size x size} plus a generated GlobalAveragePooling2D -> Dense(1000,
   * softmax) head (include_top's 120M-parameter Flatten/Dense head is too big for a quick run), all
   * with Keras-default random weights from {@code seed}.
   */
  public static KerasModel vgg16WithDenseHead(int size, long seed) {
    ObjectMapper json = new ObjectMapper();
    ObjectNode config;
    try {
      config = (ObjectNode) json.readTree(
          Vgg16.Options.defaults().withIncludeTop(false).withImagenetWeights(false).withInputSize(size, size).config());
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("Vgg16.Options.config() is not JSON", e); // our own bug, not the user's
    }
    ObjectNode inner = (ObjectNode) config.get("config");
    ArrayNode layers = (ArrayNode) inner.get("layers");
    layers.add(layer(json, "GlobalAveragePooling2D", "head_gap", "block5_pool", json.createObjectNode()));
    layers.add(layer(json, "Dense", "predictions", "head_gap",
        json.createObjectNode().put("units", 1000).put("activation", "softmax").put("use_bias", true)));
    inner.set("output_layers", json.createArrayNode().add(json.createArrayNode().add("predictions").add(0).add(0)));
    return KerasModel.fromConfig(config.toString(), LoadOptions.defaults().withRandomWeights(seed));
  }

  private static ObjectNode layer(ObjectMapper json, String cls, String name, String inbound, ObjectNode config) {
    config.put("name", name);
    ObjectNode l = json.createObjectNode().put("class_name", cls).put("name", name);
    l.set("config", config);
    l.set("inbound_nodes", json.createArrayNode().add(json.createArrayNode().add(
        json.createArrayNode().add(inbound).add(0).add(0).add(json.createObjectNode()))));
    return l;
  }

  /** Caffe-preprocessed-range noise of the model's input shape with batch {@code batch}. */
  public static FloatTensor input(KerasModel model, int batch, long seed) {
    long[] shape = model.inputShape().clone();
    shape[0] = batch;
    float[] data = new float[(int) Arrays.stream(shape).reduce(1, (a, b) -> a * b)];
    Random r = new Random(seed);
    for (int i = 0; i < data.length; i++) {
      data[i] = r.nextFloat() * 255 - 128;
    }
    return new FloatTensor(shape, data);
  }
}
