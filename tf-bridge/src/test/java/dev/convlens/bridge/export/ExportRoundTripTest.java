package dev.convlens.bridge.export;

import dev.convlens.bridge.fixtures.Json;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.convlens.bridge.ConvlensException;
import dev.convlens.bridge.FloatTensor;
import dev.convlens.bridge.KerasModel;
import dev.convlens.bridge.LayerInfo;
import dev.convlens.bridge.LoadOptions;
import dev.convlens.bridge.applications.Vgg16;
import dev.convlens.bridge.fixtures.FixtureBuilder;
import dev.convlens.bridge.fixtures.KerasFixtureFiles;
import dev.convlens.bridge.fixtures.KerasModelFixture;
import dev.convlens.bridge.fixtures.SharedData;
import dev.convlens.bridge.fixtures.TestArrays;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.Result;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TFloat32;

/**
 * exportSavedModel writes a standard SavedModel that (a) convlens loads back into the same Java-op
 * graph and (b) plain TF Java serves through its signatures, both giving our outputs; and it never
 * leaves a half-written or clobbered directory behind.
 */
class ExportRoundTripTest {
  private static final double TOLERANCE = 1e-5;

  @TempDir Path temp;
  /** Generated model files, apart from {@link #temp} whose listing some tests check. */
  @TempDir Path fixtures;

  @Test
  void ferMiniXceptionRoundTrips() throws IOException {
    try (KerasModel model = KerasModel.load(SharedData.require("models/keras-h5/fer2013_mini_XCEPTION.102-0.66.hdf5"))) {
      roundTrip(model, temp.resolve("fer"));
    }
  }

  /** Nested Sequential: activation keys like {@code sequential/random_flip} must survive as signature keys. */
  @Test
  void kerasConvnetWithNestedModelRoundTrips() throws IOException {
    try (KerasModel model = KerasModel.load(
        SharedData.require("models/keras-v3/convnet_from_scratch_with_augmentation.keras"))) {
      roundTrip(model, temp.resolve("convnet"));
    }
  }

  /**
   * VGG16 without top declared as Keras does it without input_shape, {@code (None, None, 3)}, built
   * at 64x64 through LoadOptions: the export must remember 64x64, since the config alone cannot.
   */
  @Test
  void inputShapeOverrideIsPreserved() throws IOException {
    ObjectNode config = Json.tree(Vgg16.Options.defaults().withIncludeTop(false).withImagenetWeights(false).withInputSize(64, 64).config());
    ObjectNode input = (ObjectNode) config.path("config").path("layers").get(0).path("config");
    ArrayNode open = input.putArray("batch_input_shape");
    open.addNull().addNull().addNull().add(3);
    Path dir = temp.resolve("vgg16-64");
    try (KerasModel model = KerasModel.fromConfig(config.toString(),
        LoadOptions.defaults().withInputShape(64, 64, 3).withRandomWeights(1))) {
      assertArrayEquals(new long[] {-1, 64, 64, 3}, model.inputShape());
      model.exportSavedModel(dir, List.of("block3_conv1", "block5_pool"));
      FloatTensor x = TestArrays.random(model.inputShape(), 1, 0, 9);
      FloatTensor expected = model.predict(x);
      assertArrayEquals(new long[] {1, 2, 2, 512}, expected.shape());
      try (KerasModel back = KerasModel.load(dir)) {
        assertArrayEquals(new long[] {-1, 64, 64, 3}, back.inputShape(), "input shape after reload");
        TestArrays.assertClose(expected, back.predict(x), 0, "reloaded prediction");
      }
      try (SavedModelBundle bundle = SavedModelBundle.load(dir.toString(), "serve")) {
        assertEquals(Set.of("block3_conv1", "block5_pool"), bundle.function("activations").signature().outputNames());
      }
    }
  }

  @Test
  void exportingOntoAnotherDirectoryFailsWithoutTouchingIt() throws IOException {
    Path dir = Files.createDirectory(temp.resolve("photos"));
    Files.writeString(dir.resolve("keep.txt"), "precious");
    try (KerasModel model = smallModel()) {
      ConvlensException e = assertThrows(ConvlensException.class, () -> model.exportSavedModel(dir));
      assertTrue(e.getMessage().contains(dir.toString()), e.getMessage());
    }
    assertEquals(Set.of("keep.txt"), list(dir));
    assertEquals("precious", Files.readString(dir.resolve("keep.txt")));
    assertEquals(Set.of("photos"), list(temp), "no temporary directory left beside it");
  }

  @Test
  void exportingOntoAFileFailsWithoutTouchingIt() throws IOException {
    Path file = Files.writeString(temp.resolve("model"), "a file");
    try (KerasModel model = smallModel()) {
      assertThrows(ConvlensException.class, () -> model.exportSavedModel(file));
    }
    assertEquals("a file", Files.readString(file));
    assertEquals(Set.of("model"), list(temp));
  }

  @Test
  void failedExportLeavesNoPartialDirectory() throws IOException {
    Path parentFile = Files.writeString(temp.resolve("not-a-dir"), "x");
    Path target = parentFile.resolve("export");
    try (KerasModel model = smallModel()) {
      ConvlensException e = assertThrows(ConvlensException.class, () -> model.exportSavedModel(target));
      assertTrue(e.getMessage().contains(target.toString()) || e.getMessage().contains(parentFile.toString()),
          e.getMessage());
    }
    assertFalse(Files.exists(target));
    assertEquals(Set.of("not-a-dir"), list(temp));
  }

  /** A second export to the same place replaces the first one completely. */
  @Test
  void reExportReplacesAPreviousExport() throws IOException {
    Path dir = temp.resolve("small");
    try (KerasModel model = smallModel()) {
      model.exportSavedModel(dir);
      Files.writeString(dir.resolve("assets/stale.txt"), "from the first export");
      model.exportSavedModel(dir, List.of(model.layers().get(1).path()));
    }
    assertFalse(Files.exists(dir.resolve("assets/stale.txt")));
    assertEquals(Set.of("small"), list(temp), "no .old or .tmp directory left");
    try (KerasModel back = KerasModel.load(dir)) {
      assertEquals(11, back.layers().size());
    }
  }

  // ---- helpers ----

  /** A generated Keras 2 file shaped like the book's first cats-vs-dogs convnet (11 layers with the input). */
  private KerasModel smallModel() {
    KerasModelFixture f = FixtureBuilder.sequential("small").input("input", 24, 24, 3)
        .conv2d("conv1", 4, 3, "valid", "relu").maxPool("pool1", 2)
        .conv2d("conv2", 8, 3, "valid", "relu").maxPool("pool2", 2)
        .conv2d("conv3", 8, 1, "valid", "relu").maxPool("pool3", 2)
        .flatten("flatten").dropout("dropout", 0.5).dense("dense1", 6, "relu").dense("dense2", 1, "sigmoid")
        .build();
    return KerasModel.load(KerasFixtureFiles.writeKeras2FullH5(f, fixtures.resolve("small.h5")));
  }

  @Test
  void generatedConvnetRoundTrips() throws IOException {
    try (KerasModel model = smallModel()) {
      roundTrip(model, temp.resolve("small"));
    }
  }

  /** Exports, checks the layout, then compares reload and SavedModelBundle outputs with the model's own. */
  private static void roundTrip(KerasModel model, Path dir) throws IOException {
    model.exportSavedModel(dir);
    assertTrue(Files.isRegularFile(dir.resolve("saved_model.pb")), "saved_model.pb");
    assertTrue(Files.isDirectory(dir.resolve("variables")), "variables/");
    assertTrue(Files.isRegularFile(dir.resolve("variables/variables.index")), "variables/variables.index");
    assertTrue(Files.isRegularFile(dir.resolve("assets/convlens-model.json")), "assets/convlens-model.json");

    FloatTensor x = TestArrays.random(model.inputShape(), 2, 0, 17);
    FloatTensor expected = model.predict(x);
    List<String> layers = model.layers().stream().map(LayerInfo::path).filter(p -> !p.contains("@")).toList();
    Map<String, FloatTensor> expectedActs = model.activations(x, layers);

    try (KerasModel back = KerasModel.load(dir)) {
      assertEquals(model.name(), back.name());
      assertArrayEquals(model.inputShape(), back.inputShape());
      assertEquals(layers, back.layers().stream().map(LayerInfo::path).filter(p -> !p.contains("@")).toList());
      TestArrays.assertClose(expected, back.predict(x), TOLERANCE, "reloaded prediction");
      Map<String, FloatTensor> acts = back.activations(x, layers);
      for (String l : layers) {
        TestArrays.assertClose(expectedActs.get(l), acts.get(l), TOLERANCE, "reloaded layer " + l);
      }
    }

    String inputKey = model.layers().get(0).name();
    try (SavedModelBundle bundle = SavedModelBundle.load(dir.toString(), "serve");
        TFloat32 in = TFloat32.tensorOf(Shape.of(x.shape()), DataBuffers.of(x.data(), true, false))) {
      assertEquals(Set.of(inputKey), bundle.function("serving_default").signature().inputNames());
      try (Result r = bundle.function("serving_default").call(Map.of(inputKey, in))) {
        TestArrays.assertClose(expected, floats(r.get("output_0").orElseThrow()), TOLERANCE, "serving_default");
      }
      assertEquals(new TreeSet<>(layers), new TreeSet<>(bundle.function("activations").signature().outputNames()));
      try (Result r = bundle.function("activations").call(Map.of(inputKey, in))) {
        for (String l : layers) {
          TestArrays.assertClose(expectedActs.get(l), floats(r.get(l).orElseThrow()), TOLERANCE, "activations " + l);
        }
      }
    }
  }

  private static FloatTensor floats(Tensor t) {
    TFloat32 f = (TFloat32) t;
    float[] data = new float[(int) f.size()];
    f.copyTo(DataBuffers.of(data, false, false));
    return new FloatTensor(f.shape().asArray(), data);
  }

  private static Set<String> list(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).collect(Collectors.toCollection(TreeSet::new));
    }
  }
}
