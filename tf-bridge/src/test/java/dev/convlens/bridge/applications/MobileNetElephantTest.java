package dev.convlens.bridge.applications;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.convlens.bridge.FloatTensor;
import dev.convlens.bridge.KerasModel;
import dev.convlens.bridge.LoadOptions;
import dev.convlens.bridge.fixtures.SharedData;
import dev.convlens.bridge.image.ClassNames;
import dev.convlens.bridge.image.ImageNetLabels;
import dev.convlens.bridge.image.KerasImages;
import dev.convlens.bridge.image.Prediction;
import dev.convlens.bridge.image.Preprocessing;
import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The whole path a user takes, from the JPEG to a label: load_img at 128x128 (nearest), mode-"tf"
 * preprocessing, the real MobileNet-0.25 ImageNet weights, decode_predictions with Keras' class
 * index. Expected values: golden/A_mobilenet__elephant899.json (the oracle's float64 run).
 */
class MobileNetElephantTest {
  @Test
  void elephantPhotoIsAnAfricanElephant() throws IOException {
    var elephant = SharedData.require("images/book/creative_commons_elephant.jpg");
    var weights = SharedData.require("models/keras-applications/mobilenet_2_5_128_tf.h5");
    var classIndex = SharedData.require("imagenet_class_index.json");
    JsonNode golden = new ObjectMapper().readTree(
        SharedData.require("golden/A_mobilenet__elephant899.json").toFile()).path("output");

    FloatTensor image = KerasImages.loadImg(elephant, 128, 128);
    assertArrayEquals(new long[] {128, 128, 3}, image.shape());
    FloatTensor x = Preprocessing.TF.apply(image);

    try (KerasModel model = KerasModel.fromConfig(MobileNet.Options.defaults().withAlpha(0.25).withInputSize(128).config(),
        LoadOptions.defaults().withWeights(weights))) {
      FloatTensor probabilities = model.predict(x);
      assertArrayEquals(new long[] {1, 1000}, probabilities.shape());

      ClassNames names = ImageNetLabels.load(classIndex);
      List<Prediction> top = names.decodePredictions(probabilities, 5).get(0);
      JsonNode expected = golden.path("top5").get(0);
      Prediction best = top.get(0);
      assertEquals(386, best.index());
      assertEquals("n02504458", best.wnid());
      assertEquals("African_elephant", best.label());
      assertEquals(expected.get(0).get("prob").asDouble(), best.score(), 1e-4, "P(African_elephant)");
      for (int r = 0; r < top.size(); r++) {
        assertEquals(expected.get(r).get("index").asInt(), top.get(r).index(), "rank " + (r + 1));
        assertEquals(expected.get(r).get("label").asText(), top.get(r).label(), "rank " + (r + 1));
        assertEquals(expected.get(r).get("prob").asDouble(), top.get(r).score(), 1e-4, "rank " + (r + 1) + " probability");
      }
    }
  }
}
