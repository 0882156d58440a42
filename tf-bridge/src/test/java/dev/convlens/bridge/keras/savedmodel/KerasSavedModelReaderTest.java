package dev.convlens.bridge.keras.savedmodel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.convlens.bridge.FloatTensor;
import dev.convlens.bridge.ModelFormatException;
import dev.convlens.bridge.keras.KerasArtifact;
import dev.convlens.bridge.keras.WeightArray;
import dev.convlens.bridge.keras.WeightSpec;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reads the real SavedModels of ../shared/data/models/savedmodel. */
class KerasSavedModelReaderTest {
  private static final String SIMPLE = "tfnet_simple_model_from_auto_compile";
  private static final String BEATRIX = "beatrix_cnn_50x50_gray";
  private static final String CUSTOM = "tfnet_python_func_model";
  private static final String PLAIN_TF = "tfjava_saved_model_using_python";

  @TempDir Path temp;

  @Test
  void simpleFunctionalConfigComesThrough() {
    KerasArtifact artifact = KerasSavedModelReader.read(model(SIMPLE));

    JsonNode json = artifact.modelConfig();
    assertEquals("Functional", json.get("class_name").asText());
    assertEquals(List.of("input_1", "flatten", "dense", "dense_1", "softmax"), layerNames(json));
    assertEquals("Keras SavedModel (tf.keras 2.11)", artifact.formatDescription());
    assertEquals(model(SIMPLE), artifact.source());
  }

  /**
   * kernel1.npy and bias0.npy are the model's 3rd and 2nd trainable weights. Trainable weights in
   * model order are dense.kernel, dense.bias, dense_1.kernel, dense_1.bias (Flatten and Softmax
   * have none), so they are dense_1's kernel and dense's bias.
   */
  @Test
  void restoresTheExactTrainedWeights() throws IOException {
    KerasArtifact artifact = KerasSavedModelReader.read(model(SIMPLE));
    FloatTensor expectedBias = dev.convlens.bridge.io.Npy.read(model(SIMPLE).resolve("bias0.npy"));
    FloatTensor expectedKernel = dev.convlens.bridge.io.Npy.read(model(SIMPLE).resolve("kernel1.npy"));

    // Input 28x28x1 flattened = 784; units from the config: dense 100, dense_1 10.
    List<WeightArray> dense = artifact.weights().weights(List.of("dense"), "Dense", denseSpecs(784, 100));
    List<WeightArray> dense1 = artifact.weights().weights(List.of("dense_1"), "Dense", denseSpecs(100, 10));

    assertArrayEquals(new long[] {784, 100}, dense.get(0).value().shape());
    assertEquals(expectedBias, dense.get(1).value());
    assertEquals(expectedKernel, dense1.get(0).value());
    assertArrayEquals(new long[] {10}, dense1.get(1).value().shape());
    assertEquals("dense_1/kernel", dense1.get(0).name());
  }

  @Test
  void layersWithoutVariablesAndUnknownLayersGiveNothing() {
    KerasArtifact artifact = KerasSavedModelReader.read(model(SIMPLE));
    assertEquals(List.of(), artifact.weights().weights(List.of("flatten"), "Flatten", List.of()));
    assertEquals(List.of(), artifact.weights().weights(List.of("softmax"), "Softmax", denseSpecs(1, 1)));
    assertEquals(List.of(), artifact.weights().weights(List.of("no_such_layer"), "Dense", denseSpecs(1, 1)));
  }

  @Test
  void aVariableTheLayerDoesNotHaveIsNamed() {
    KerasArtifact artifact = KerasSavedModelReader.read(model(SIMPLE));
    List<WeightSpec> specs = List.of(new WeightSpec("kernel", new long[] {784, 100}, true),
        new WeightSpec("gamma", new long[] {100}, true));
    ModelFormatException e = assertThrows(ModelFormatException.class,
        () -> artifact.weights().weights(List.of("dense"), "Dense", specs));
    assertTrue(e.getMessage().contains("dense") && e.getMessage().contains("gamma")
        && e.getMessage().contains("dense/bias"), e.getMessage());
  }

  @Test
  void beatrixConvKernelMatchesItsConfig() {
    KerasArtifact artifact = KerasSavedModelReader.read(model(BEATRIX));
    JsonNode json = artifact.modelConfig();
    assertEquals("Sequential", json.get("class_name").asText());
    assertEquals("Keras SavedModel (tf.keras 2.10)", artifact.formatDescription());

    JsonNode conv = layer(json, "conv2d_18").get("config");
    long kh = conv.get("kernel_size").get(0).asLong();
    long kw = conv.get("kernel_size").get(1).asLong();
    long filters = conv.get("filters").asLong();
    long channels = conv.get("batch_input_shape").get(3).asLong();
    assertEquals(1, channels, "grayscale input");

    List<WeightArray> weights = artifact.weights().weights(List.of("conv2d_18"), "Conv2D", List.of(
        new WeightSpec("kernel", new long[] {kh, kw, channels, filters}, true),
        new WeightSpec("bias", new long[] {filters}, true)));

    assertArrayEquals(new long[] {kh, kw, channels, filters}, weights.get(0).value().shape());
    assertArrayEquals(new long[] {filters}, weights.get(1).value().shape());
    assertTrue(isTrained(weights.get(0).value()), "a trained kernel is neither all zero nor constant");
  }

  @Test
  void customLayerClassIsVisibleAndItsVariablesReadable() {
    KerasArtifact artifact = KerasSavedModelReader.read(model(CUSTOM));
    JsonNode transformer = layer(artifact.modelConfig(), "transformer");
    assertEquals("Transformer", transformer.get("class_name").asText());

    // The layer holds its variable under two attribute names, "matrix" and "owned_weight".
    List<WeightArray> byAttribute = artifact.weights().weights(List.of("transformer"), "Transformer",
        List.of(new WeightSpec("owned_weight", new long[] {784, 10}, true)));
    List<WeightArray> byName = artifact.weights().weights(List.of("transformer"), "Transformer",
        List.of(new WeightSpec("transformer/matrix:0", new long[] {784, 10}, true)));
    assertEquals(byAttribute, byName);
    assertEquals(784 * 10, byName.get(0).value().size());
  }

  @Test
  void plainTfSavedModelIsRejectedWithItsSignatures() {
    Path dir = model(PLAIN_TF);
    assertTrue(KerasSavedModelReader.looksLike(dir));
    ModelFormatException e = assertThrows(ModelFormatException.class, () -> KerasSavedModelReader.read(dir));
    assertTrue(e.getMessage().contains("plain TensorFlow SavedModel without Keras metadata")
        && e.getMessage().contains("keras_metadata.pb")
        && e.getMessage().contains("get_const_matrix"), e.getMessage());
  }

  @Test
  void onlyFloat32IsRestored() {
    // The SGD optimizer's step counter is int64.
    Checkpoint checkpoint = Checkpoint.ofSavedModel(model(BEATRIX));
    ModelFormatException e = assertThrows(ModelFormatException.class,
        () -> checkpoint.readFloats(List.of("optimizer/iter/.ATTRIBUTES/VARIABLE_VALUE")));
    assertTrue(e.getMessage().contains("float32") && e.getMessage().contains("variables.index"), e.getMessage());
  }

  @Test
  void missingCheckpointNamesTheIndexFile() throws IOException {
    Files.copy(model(SIMPLE).resolve("keras_metadata.pb"), temp.resolve("keras_metadata.pb"));
    Files.copy(model(SIMPLE).resolve("saved_model.pb"), temp.resolve("saved_model.pb"));
    ModelFormatException e = assertThrows(ModelFormatException.class, () -> KerasSavedModelReader.read(temp));
    assertTrue(e.getMessage().contains("variables.index"), e.getMessage());
  }

  @Test
  void corruptMetadataNamesTheFile() throws IOException {
    Files.write(temp.resolve("saved_model.pb"), new byte[0]);
    Files.writeString(temp.resolve("keras_metadata.pb"), "garbage, not a protobuf");
    ModelFormatException e = assertThrows(ModelFormatException.class, () -> KerasSavedModelReader.read(temp));
    assertTrue(e.getMessage().contains("keras_metadata.pb"), e.getMessage());
  }

  @Test
  void looksLikeOnlySavedModelDirectories() throws IOException {
    assertFalse(KerasSavedModelReader.looksLike(temp));
    Path file = Files.writeString(temp.resolve("model.h5"), "x");
    assertFalse(KerasSavedModelReader.looksLike(file));
    Files.write(temp.resolve("saved_model.pb"), new byte[0]);
    assertTrue(KerasSavedModelReader.looksLike(temp));
    assertThrows(ModelFormatException.class, () -> KerasSavedModelReader.read(file));
  }

  private static List<WeightSpec> denseSpecs(long in, long out) {
    return List.of(new WeightSpec("kernel", new long[] {in, out}, true), new WeightSpec("bias", new long[] {out}, true));
  }

  private static List<String> layerNames(JsonNode modelConfig) {
    List<String> names = new ArrayList<>();
    modelConfig.get("config").get("layers").forEach(l -> names.add(l.get("config").get("name").asText()));
    return names;
  }

  private static JsonNode layer(JsonNode modelConfig, String name) {
    for (JsonNode l : modelConfig.get("config").get("layers")) {
      if (name.equals(l.get("config").get("name").asText())) {
        return l;
      }
    }
    throw new AssertionError("no layer " + name + " in config");
  }

  private static boolean isTrained(FloatTensor a) {
    float first = a.data()[0];
    for (float v : a.data()) {
      if (v != first) {
        return true;
      }
    }
    return false;
  }

  private static Path model(String name) {
    return dev.convlens.bridge.fixtures.SharedData.require("models/savedmodel/" + name);
  }

}
