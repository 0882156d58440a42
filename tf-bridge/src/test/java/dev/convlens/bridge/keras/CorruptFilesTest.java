package dev.convlens.bridge.keras;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.convlens.bridge.KerasModel;
import dev.convlens.bridge.LoadOptions;
import dev.convlens.bridge.ModelFormatException;
import dev.convlens.bridge.fixtures.SharedData;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Broken, truncated and wrong inputs to the loader: each must give a {@link ModelFormatException}
 * naming the file (never an NPE, an IllegalStateException, a raw TF or HDF5 exception, or a crash).
 */
class CorruptFilesTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path temp;

  @Test
  void emptyFile() throws IOException {
    Path f = Files.createFile(temp.resolve("empty.h5"));
    assertLoadFails(f, "empty file");
  }

  @Test
  void nonexistentPath() {
    assertLoadFails(temp.resolve("no-such-model.keras"), "no such file");
  }

  /** Cuts inside the superblock, the object headers, the attributes, and the weight data. */
  @ParameterizedTest
  @ValueSource(ints = {8, 100, 2_000, 40_000, 400_000})
  void truncatedHdf5(int bytes) throws IOException {
    Path f = firstBytes(SharedData.require("models/keras-h5/fer2013_mini_XCEPTION.102-0.66.hdf5"), bytes, "fer.hdf5");
    assertLoadFails(f);
  }

  @ParameterizedTest
  @ValueSource(ints = {8, 100, 2_000, 40_000, 400_000})
  void truncatedWeightsOnlyHdf5(int bytes) throws IOException {
    Path config = SharedData.require("models/weights-plus-json/lenet/modelConfig.json");
    Path weights = firstBytes(SharedData.require("models/weights-plus-json/lenet/mnist_weights_only.h5"), bytes,
        "weights.h5");
    assertFails(weights, () -> KerasModel.load(config, LoadOptions.defaults().withWeights(weights)).close());
  }

  @ParameterizedTest
  @ValueSource(ints = {4, 1_000, 100_000, 1_000_000})
  void truncatedKerasZip(int bytes) throws IOException {
    Path f = firstBytes(SharedData.require("models/keras-v3/convnet_from_scratch_with_augmentation.keras"), bytes,
        "convnet.keras");
    assertLoadFails(f);
  }

  @Test
  void zipWithoutConfig() throws IOException {
    Path f = temp.resolve("junk.keras");
    try (ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(f))) {
      zip.putNextEntry(new ZipEntry("readme.txt"));
      zip.write("not a model".getBytes());
    }
    assertLoadFails(f, "config.json");
  }

  /** A real .keras config with its model.weights.h5 cut short. */
  @Test
  void kerasZipWithTruncatedWeights() throws IOException {
    Path real = SharedData.require("models/keras-v3/convnet_from_scratch_with_augmentation.keras");
    Path f = temp.resolve("cut-weights.keras");
    try (java.util.zip.ZipFile in = new java.util.zip.ZipFile(real.toFile());
        ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(f))) {
      for (ZipEntry e : java.util.Collections.list(in.entries())) {
        byte[] data = in.getInputStream(e).readAllBytes();
        if (e.getName().equals("model.weights.h5")) {
          data = java.util.Arrays.copyOf(data, data.length / 3);
        }
        out.putNextEntry(new ZipEntry(e.getName()));
        out.write(data);
      }
    }
    assertLoadFails(f);
  }

  @Test
  void randomBytes() throws IOException {
    assertLoadFails(randomFile("random.h5", new byte[0]), "unknown format");
  }

  @Test
  void hdf5SignatureFollowedByRandomBytes() throws IOException {
    byte[] magic = {(byte) 0x89, 'H', 'D', 'F', '\r', '\n', 0x1a, '\n'};
    assertLoadFails(randomFile("fake.h5", magic));
  }

  @Test
  void zipSignatureFollowedByRandomBytes() throws IOException {
    assertLoadFails(randomFile("fake.keras", new byte[] {'P', 'K', 3, 4}));
  }

  @Test
  void jpegPassedAsModel() {
    Path jpeg = SharedData.require("images/book/creative_commons_elephant.jpg");
    assertLoadFails(jpeg, "unknown format");
  }

  @Test
  void directoryWithJunk() throws IOException {
    Path dir = Files.createDirectory(temp.resolve("junk-dir"));
    Files.writeString(dir.resolve("notes.txt"), "hello");
    Files.write(dir.resolve("weights.bin"), new byte[] {1, 2, 3});
    assertLoadFails(dir, "neither a Keras SavedModel");
  }

  @Test
  void savedModelDirectoryWithGarbageSavedModelPb() throws IOException {
    Path dir = Files.createDirectory(temp.resolve("fake-savedmodel"));
    Files.write(dir.resolve("saved_model.pb"), new byte[] {9, 9, 9, 9});
    assertLoadFails(dir, "SavedModel");
  }

  /** A real Keras SavedModel whose checkpoint data is cut: TF's RestoreV2 error must come back typed. */
  @Test
  void savedModelWithTruncatedCheckpoint() throws IOException {
    Path real = SharedData.require("models/savedmodel/tfnet_simple_model_from_auto_compile");
    Path dir = copyTree(real, temp.resolve("cut-savedmodel"));
    Path data = dir.resolve("variables/variables.data-00000-of-00001");
    byte[] bytes = Files.readAllBytes(data);
    Files.write(data, java.util.Arrays.copyOf(bytes, bytes.length / 2));
    assertLoadFails(dir);
  }

  @Test
  void savedModelWithoutVariables() throws IOException {
    Path real = SharedData.require("models/savedmodel/tfnet_simple_model_from_auto_compile");
    Path dir = copyTree(real, temp.resolve("no-variables"));
    Files.delete(dir.resolve("variables/variables.data-00000-of-00001"));
    Files.delete(dir.resolve("variables/variables.index"));
    assertLoadFails(dir);
  }

  @Test
  void jsonThatIsNotAModelConfig() throws IOException {
    Path f = temp.resolve("settings.json");
    Files.writeString(f, "{\"learning_rate\": 0.01, \"layers\": 3}");
    assertLoadFails(f, "class_name");
  }

  @Test
  void classIndexJsonIsNotAModel() {
    assertLoadFails(SharedData.require("imagenet_class_index.json"), "class_name");
  }

  @Test
  void invalidJson() throws IOException {
    Path f = temp.resolve("broken.json");
    Files.writeString(f, "{\"class_name\": \"Sequential\", \"config\": {\"layers\": [");
    assertLoadFails(f, "not valid JSON");
  }

  @Test
  void modelClassThatIsNotAModel() throws IOException {
    Path f = temp.resolve("layer.json");
    Files.writeString(f, "{\"class_name\": \"Dense\", \"config\": {\"units\": 3}}");
    assertLoadFails(f, "'Dense' is not a Keras model");
  }

  @Test
  void configReferencingAnUnknownInboundLayer() throws IOException {
    ObjectNode config = (ObjectNode) JSON.readTree(
        SharedData.require("models/weights-plus-json/toyresnet/modelConfig.json").toFile());
    ArrayNode layers = (ArrayNode) config.path("config").path("layers");
    ObjectNode add = null;
    for (var l : layers) {
      if (l.path("class_name").asText().equals("Add")) {
        add = (ObjectNode) l;
        break;
      }
    }
    // [[["conv2d_37", 0, 0, {}], ["max_pooling2d_16", 0, 0, {}]]] -> the second input is renamed
    ((ArrayNode) add.path("inbound_nodes").get(0).get(1)).set(0, JSON.getNodeFactory().textNode("no_such_layer"));
    Path f = temp.resolve("dangling.json");
    JSON.writeValue(f.toFile(), config);
    assertFails(f, () -> KerasModel.load(f, LoadOptions.defaults().withRandomWeights(1)).close(),
        "unknown layer 'no_such_layer'");
  }

  @Test
  void configWithACycle() throws IOException {
    String cycle = """
        {"class_name": "Functional", "config": {"name": "loop", "layers": [
          {"class_name": "InputLayer", "name": "in", "config": {"name": "in", "batch_input_shape": [null, 4]},
           "inbound_nodes": []},
          {"class_name": "Dense", "name": "a", "config": {"name": "a", "units": 4}, "inbound_nodes": [[["b", 0, 0, {}]]]},
          {"class_name": "Dense", "name": "b", "config": {"name": "b", "units": 4}, "inbound_nodes": [[["a", 0, 0, {}]]]}
        ], "input_layers": [["in", 0, 0]], "output_layers": [["b", 0, 0]]}}
        """;
    Path f = temp.resolve("cycle.json");
    Files.writeString(f, cycle);
    assertFails(f, () -> KerasModel.load(f, LoadOptions.defaults().withRandomWeights(1)).close(), "cycle");
  }

  /** lenet's architecture with toyresnet's weights: no layer of lenet is found in that file. */
  @Test
  void weightsOfAnotherModel() {
    Path config = SharedData.require("models/weights-plus-json/lenet/modelConfig.json");
    Path weights = SharedData.require("models/weights-plus-json/toyresnet/weights.h5");
    ModelFormatException e = assertFails(config,
        () -> KerasModel.load(config, LoadOptions.defaults().withWeights(weights)).close(), "layer 'conv2d'");
    assertTrue(e.getMessage().contains(weights.toString()), "names the weights file too: " + e.getMessage());
  }

  /**
   * lenet's architecture with its first Dense layer narrowed (120 units to 100) and its own
   * weights: the layer names match, the kernel shape does not.
   */
  @Test
  void weightShapeMismatch() throws IOException {
    ObjectNode config = (ObjectNode) JSON.readTree(
        SharedData.require("models/weights-plus-json/lenet/modelConfig.json").toFile());
    ObjectNode dense = null;
    for (var l : config.path("config").path("layers")) {
      if (dense == null && l.path("class_name").asText().equals("Dense")) {
        dense = (ObjectNode) l.path("config");
      }
    }
    String name = dense.path("name").asText();
    long units = dense.path("units").asLong();
    dense.put("units", units - 20);
    Path f = temp.resolve("narrowed.json");
    JSON.writeValue(f.toFile(), config);
    Path weights = SharedData.require("models/weights-plus-json/lenet/mnist_weights_only.h5");
    ModelFormatException e = assertFails(f,
        () -> KerasModel.load(f, LoadOptions.defaults().withWeights(weights)).close(),
        "layer '" + name + "'", "has shape", Long.toString(units), Long.toString(units - 20));
    assertTrue(e.getMessage().contains(weights.toString()), "names the weights file too: " + e.getMessage());
  }

  /** The same through fromConfig, where the weights file is the only file and so the one named. */
  @Test
  void weightsOfAnotherModelFromConfig() throws IOException {
    var config = JSON.readTree(SharedData.require("models/weights-plus-json/batchnorm/modelConfig.json").toFile());
    Path weights = SharedData.require("models/weights-plus-json/lenet/mnist_weights_only.h5");
    assertFails(weights, () -> KerasModel.fromConfig(config.toString(), LoadOptions.defaults().withWeights(weights)).close(),
        "no stored weights");
  }

  @Test
  void modelJsonPassedAsWeights() {
    Path config = SharedData.require("models/weights-plus-json/lenet/modelConfig.json");
    assertFails(config, () -> KerasModel.load(config, LoadOptions.defaults().withWeights(config)).close(),
        "weights file must be Keras HDF5");
  }

  @Test
  void missingWeightsFile() {
    Path config = SharedData.require("models/weights-plus-json/lenet/modelConfig.json");
    Path weights = temp.resolve("missing.h5");
    assertFails(weights, () -> KerasModel.load(config, LoadOptions.defaults().withWeights(weights)).close(),
        "no such file");
  }

  // ---- helpers ----

  private static void assertLoadFails(Path file, String... fragments) {
    assertFails(file, () -> KerasModel.load(file).close(), fragments);
  }

  /** The call must fail with a ModelFormatException (any subclass) whose message names {@code file}. */
  private static ModelFormatException assertFails(Path file, ThrowingRunnable call, String... fragments) {
    try {
      call.run();
    } catch (ModelFormatException e) {
      assertTrue(e.getMessage().contains(file.toString()), "message names " + file + ": " + e.getMessage());
      // A SavedModel's errors may name the file inside the directory that is broken.
      assertTrue(e.source() != null && e.source().startsWith(file), "source() of: " + e.getMessage());
      for (String f : fragments) {
        assertTrue(e.getMessage().contains(f), "message mentions '" + f + "': " + e.getMessage());
      }
      return e;
    } catch (Throwable t) {
      throw new AssertionError("expected ModelFormatException naming " + file + ", got " + t, t);
    }
    return fail("loading " + file + " should have failed");
  }

  @FunctionalInterface
  private interface ThrowingRunnable {
    void run() throws Exception;
  }

  private Path firstBytes(Path source, int n, String name) throws IOException {
    Path f = temp.resolve(n + "-" + name);
    try (InputStream in = Files.newInputStream(source); OutputStream out = Files.newOutputStream(f)) {
      out.write(in.readNBytes(n));
    }
    assertTrue(Files.size(f) < Files.size(source), "cut " + name + " shorter than " + Files.size(source));
    return f;
  }

  private Path randomFile(String name, byte[] prefix) throws IOException {
    byte[] data = new byte[4096];
    new SplittableRandom(3).nextBytes(data);
    System.arraycopy(prefix, 0, data, 0, prefix.length);
    if (prefix.length == 0) {
      data[0] = 'x';  // not '{', not a magic number
    }
    Path f = temp.resolve(name);
    Files.write(f, data);
    return f;
  }

  private static Path copyTree(Path from, Path to) throws IOException {
    try (var walk = Files.walk(from)) {
      for (Path p : (Iterable<Path>) walk::iterator) {
        Path target = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(target);
        } else {
          Files.copy(p, target);
        }
      }
    }
    return to;
  }
}
