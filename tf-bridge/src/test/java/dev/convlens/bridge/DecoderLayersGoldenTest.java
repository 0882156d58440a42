package dev.convlens.bridge;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.convlens.bridge.fixtures.SharedData;
import dev.convlens.bridge.io.Npy;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Conv2DTranspose, UpSampling2D, Resizing, PReLU and Cropping2D against the independent float64
 * values of {@code ../shared/data/golden/decoder-layers} (README section 11): every layer's output
 * on a synthetic Keras 2 decoder and on the shared tf.keras 2.2.4 {@code tfkeras_cnn2d_113.h5}, at the
 * README's float32 tolerance (1e-4).
 */
class DecoderLayersGoldenTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @ParameterizedTest
  @CsvSource({
      "F_decoder_synthetic, F_decoder, golden/decoder-layers/F_decoder_synthetic.h5",
      "G_tfkeras_cnn2d_113, G_cnn2d_113, models/keras-h5/dl4j/tfkeras_cnn2d_113.h5"})
  void everyLayerMatches(String key, String prefix, String model) throws IOException {
    Path golden = SharedData.require("golden/decoder-layers");
    JsonNode spec = JSON.readTree(golden.resolve("decoder_layers.json").toFile()).get(key);
    FloatTensor input = Npy.read(golden.resolve(spec.get("input_file").asText()));
    List<String> layers = new ArrayList<>();
    spec.get("layers").fieldNames().forEachRemaining(layers::add);
    try (KerasModel m = KerasModel.load(SharedData.require(model))) {
      Map<String, FloatTensor> got = m.activations(input, layers);
      for (String layer : layers) {
        FloatTensor expected = Npy.read(golden.resolve(prefix + "__" + layer + ".npy"));
        FloatTensor actual = got.get(layer);
        assertArrayEquals(expected.shape(), actual.shape(), layer + " shape");
        double worst = 0;
        for (int i = 0; i < expected.data().length; i++) {
          double e = expected.data()[i];
          worst = Math.max(worst, Math.abs(actual.data()[i] - e) / (1 + Math.abs(e)));
        }
        assertTrue(worst <= 1e-4, layer + " (" + spec.get("layers").get(layer).get("class").asText()
            + "): worst deviation " + worst + " > 1e-4");
      }
    }
  }
}
