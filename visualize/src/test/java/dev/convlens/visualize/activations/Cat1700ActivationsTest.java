package dev.convlens.visualize.activations;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.convlens.bridge.FloatTensor;
import dev.convlens.bridge.KerasModel;
import dev.convlens.bridge.fixtures.SharedData;
import dev.convlens.bridge.image.KerasImages;
import dev.convlens.bridge.io.Npy;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The book's walk-through on cat.1700.jpg with the from-scratch convnet (model B, 180x180, no
 * preprocessing: the model rescales itself): a grid for every conv and pool layer and the
 * blank-channel fraction of each, equal to the golden counts.
 */
class Cat1700ActivationsTest {
  private static final List<String> CONV_AND_POOL = List.of("conv2d_8", "max_pooling2d_6", "conv2d_9",
      "max_pooling2d_7", "conv2d_10", "max_pooling2d_8", "conv2d_11", "max_pooling2d_9", "conv2d_12");

  @Test
  void gridsAndBlankFractionsForEveryConvAndPoolLayer() throws IOException {
    Path image = SharedData.require("images/book/cats_and_dogs_small/cat.1700.jpg");
    Path model = SharedData.require("models/keras-v3/convnet_from_scratch_with_augmentation.keras");
    Path golden = SharedData.require("golden/B_convnet_aug__cat1700.json");
    FloatTensor x = KerasImages.loadImg(image, 180, 180);
    // The golden input is the same JPEG decoded by Pillow; the counts below are exact only if the pixels are.
    boolean samePixels = Arrays.equals(x.data(), Npy.read(golden.resolveSibling("B_convnet_aug__cat1700_input.npy")).data());
    JsonNode c = new ObjectMapper().readTree(golden.toFile());
    try (KerasModel m = KerasModel.load(model)) {
      assertEquals(CONV_AND_POOL, Activations.convAndPoolLayers(m));
      LayerActivations acts = Activations.fetch(m, x);
      List<String> progress = new ArrayList<>();
      List<ActivationGrid> grids = ActivationGrids.renderAll(acts, 0, GridOptions.defaults(),
          (done, total, layer) -> progress.add(done + "/" + total));
      assertEquals(9, grids.size());
      assertEquals("9/9", progress.get(8));
      for (int i = 0; i < 9; i++) {
        ActivationGrid g = grids.get(i);
        LayerOutput out = acts.layers().get(i);
        assertEquals(CONV_AND_POOL.get(i), g.layer());
        assertEquals(out.channels(), g.channelCount());
        assertEquals(out.channels() / 16, g.rows(), "32..256 channels fill whole rows of 16");
        assertEquals(16, g.columns());
        assertEquals(16 * out.width() + 15, g.picture().getWidth());
        assertEquals(g.titleHeight() + g.rows() * (out.height() + 1) - 1, g.picture().getHeight());
      }
      List<LayerStats> stats = acts.stats();
      double previousConv = -1;
      for (LayerStats s : stats) {
        JsonNode expected = layer(c, s.layer());
        double fraction = expected.get("blank_channels").asDouble() / expected.get("channels").asDouble();
        if (samePixels) {
          assertEquals(expected.get("blank_channels").asInt(), s.blankChannels(), s.layer());
        } else {
          assertEquals(fraction, s.blankFraction(), 0.05, s.layer() + " (pixels differ from the golden input)");
        }
        if (s.className().equals("Conv2D") && !s.layer().equals("conv2d_12")) {
          // the book's "sparsity increases with depth" holds for conv2d_8..11 (2/32, 8/64, 21/128, 134/256)
          assertTrue(s.blankFraction() > previousConv, s.layer() + " " + s.blankFraction());
          previousConv = s.blankFraction();
        }
      }
    }
  }

  private static JsonNode layer(JsonNode c, String name) {
    for (JsonNode l : c.get("layers")) {
      if (l.get("name").asText().equals(name)) {
        return l;
      }
    }
    throw new AssertionError("golden has no layer " + name);
  }
}
