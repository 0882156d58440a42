package dev.convlens.bridge.applications;

import dev.convlens.bridge.fixtures.Json;
import dev.convlens.bridge.fixtures.SharedData;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import io.jhdf.HdfFile;
import io.jhdf.api.Attribute;
import io.jhdf.api.Dataset;
import io.jhdf.api.Group;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The config against the real Keras 2.0.4 weights-only file {@code mobilenet_2_5_128_tf.h5} (shared test data). */
class MobileNetWeightFileTest {
  private static final String FILE = "models/keras-applications/mobilenet_2_5_128_tf.h5";
  private static Path file;
  private static Map<String, ConfigShapes.Layer> layers;

  @BeforeAll
  static void setUp() {
    file = SharedData.require(FILE);
    layers = ConfigShapes.of(Json.tree(MobileNet.Options.defaults().withAlpha(0.25).withInputSize(128).config()));
  }

  @Test
  void fileNameIsTheOneKerasComputes() {
    assertEquals(file.getFileName().toString(),
        MobileNet.Options.defaults().withAlpha(0.25).withInputSize(128).weightFile().orElseThrow().fileName());
  }

  @Test
  void rootLayerNamesEqualTheConfigLayers() {
    try (HdfFile h5 = new HdfFile(file)) {
      String[] stored = (String[]) h5.getAttribute("layer_names").getData();
      assertEquals(88, stored.length);
      assertEquals(List.of(stored), List.copyOf(layers.keySet()));
    }
  }

  @Test
  void storedWeightShapesEqualWhatTheConfigImplies() {
    long storedParameters = 0;
    long configParameters = 0;
    try (HdfFile h5 = new HdfFile(file)) {
      for (ConfigShapes.Layer layer : layers.values()) {
        Group group = (Group) h5.getChild(layer.name());
        assertNotNull(group, "group for layer " + layer.name());
        String[] names = weightNames(group);
        assertEquals(layer.weightShapes().size(), names.length,
            layer.name() + ": weight count, stored " + Arrays.toString(names));
        for (int i = 0; i < names.length; i++) {
          Dataset ds = (Dataset) group.getByPath(names[i]);
          long[] stored = Arrays.stream(ds.getDimensions()).asLongStream().toArray();
          assertArrayEquals(layer.weightShapes().get(i), stored, layer.name() + "/" + names[i]);
          storedParameters += ds.getSize();
        }
        configParameters += layer.parameters();
      }
    }
    assertEquals(storedParameters, configParameters);
  }

  @Test
  void lastPointwiseKernelIsWhereTheBriefSaysItIs() {
    try (HdfFile h5 = new HdfFile(file)) {
      Dataset ds = h5.getDatasetByPath("conv_pw_13/conv_pw_13/kernel:0");
      assertArrayEquals(new int[] {1, 1, 256, 256}, ds.getDimensions());
    }
  }

  /** Weightless layers store {@code weight_names} as an empty float64 array, which jhdf reads as null or empty. */
  private static String[] weightNames(Group group) {
    Attribute attr = group.getAttribute("weight_names");
    Object data = attr == null ? null : attr.getData();
    return data instanceof String[] s ? s : new String[0];
  }
}
