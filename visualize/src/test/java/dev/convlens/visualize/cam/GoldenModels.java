package dev.convlens.visualize.cam;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.convlens.bridge.FloatArray;
import dev.convlens.bridge.KerasModel;
import dev.convlens.bridge.LoadOptions;
import dev.convlens.bridge.applications.MobileNet;
import dev.convlens.bridge.applications.Vgg16;
import dev.convlens.bridge.io.Npy;
import dev.convlens.bridge.keras.KerasFiles;
import dev.convlens.bridge.keras.WeightArray;
import dev.convlens.bridge.keras.WeightSource;
import dev.convlens.bridge.keras.WeightSpec;
import java.nio.file.Path;
import java.util.List;

/**
 * The models of the golden cases as golden/README.md §1 describes them (the same construction as
 * tf-bridge's GoldenCasesTest, whose helper is package-private there).
 */
final class GoldenModels {
  private static final ObjectMapper JSON = new ObjectMapper();

  private GoldenModels() {}

  static KerasModel model(Path golden, char id) {
    Path models = golden.getParent().resolve("models");
    return switch (id) {
      case 'A' -> KerasModel.fromConfig(MobileNet.Options.defaults().alpha(0.25).inputSize(128).config(),
          LoadOptions.defaults().withWeights(models.resolve("keras-applications/mobilenet_2_5_128_tf.h5")));
      case 'B' -> KerasModel.load(models.resolve("keras-v3/convnet_from_scratch_with_augmentation.keras"));
      case 'C' -> KerasModel.load(models.resolve("keras-h5/bwdGitHub_cats_and_dogs_small_1.h5"));
      case 'D' -> KerasModel.load(models.resolve("keras-h5/fer2013_mini_XCEPTION.102-0.66.hdf5"));
      case 'E' -> vgg16WithSyntheticHead(golden);
      default -> throw new IllegalArgumentException("no golden model " + id);
    };
  }

  /** VGG16 without top at 128x128 with the golden synthetic weights, plus GlobalAveragePooling2D and Dense(3, softmax). */
  static KerasModel vgg16WithSyntheticHead(Path golden) {
    ObjectNode config = withGapDenseHead(Vgg16.Options.defaults().includeTop(false).inputSize(128, 128).config(),
        "block5_pool", "synthetic_gap", "synthetic_predictions", 3);
    WeightSource vgg = KerasFiles.weightsFile(golden.resolve("vgg16_synthetic_notop.h5"));
    FloatArray w = Npy.read(golden.resolve("vgg16syn_head_W.npy"));
    FloatArray b = Npy.read(golden.resolve("vgg16syn_head_b.npy"));
    WeightSource all = new WeightSource() {
      @Override
      public List<WeightArray> weights(List<String> path, String cls, List<WeightSpec> expected) {
        return path.get(0).equals("synthetic_predictions")
            ? List.of(new WeightArray("kernel", w), new WeightArray("bias", b)) : vgg.weights(path, cls, expected);
      }

      @Override
      public void close() {
        vgg.close();
      }
    };
    return KerasModel.fromConfig(config, all, LoadOptions.defaults());
  }

  /** A functional config with GlobalAveragePooling2D and Dense(units, softmax) appended after {@code after}. */
  static ObjectNode withGapDenseHead(ObjectNode config, String after, String gapName, String denseName, int units) {
    ObjectNode inner = (ObjectNode) config.get("config");
    ArrayNode layers = (ArrayNode) inner.get("layers");
    layers.add(layer("GlobalAveragePooling2D", gapName, after, JSON.createObjectNode()));
    ObjectNode dense = JSON.createObjectNode().put("units", units).put("activation", "softmax").put("use_bias", true);
    layers.add(layer("Dense", denseName, gapName, dense));
    inner.set("output_layers", JSON.createArrayNode().add(JSON.createArrayNode().add(denseName).add(0).add(0)));
    return config;
  }

  private static ObjectNode layer(String cls, String name, String inbound, ObjectNode config) {
    config.put("name", name);
    ObjectNode l = JSON.createObjectNode().put("class_name", cls).put("name", name);
    l.set("config", config);
    l.set("inbound_nodes", JSON.createArrayNode().add(JSON.createArrayNode().add(
        JSON.createArrayNode().add(inbound).add(0).add(0).add(JSON.createObjectNode()))));
    return l;
  }
}
