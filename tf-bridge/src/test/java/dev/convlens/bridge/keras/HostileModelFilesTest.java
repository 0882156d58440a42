package dev.convlens.bridge.keras;

import static dev.convlens.bridge.keras.HostileFiles.assertRefused;
import static dev.convlens.bridge.keras.HostileFiles.dataspace;
import static dev.convlens.bridge.keras.HostileFiles.floats;
import static dev.convlens.bridge.keras.HostileFiles.patch;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.convlens.bridge.FloatTensor;
import dev.convlens.bridge.KerasModel;
import dev.convlens.bridge.LoadLimits;
import dev.convlens.bridge.LoadOptions;
import dev.convlens.bridge.fixtures.FixtureBuilder;
import dev.convlens.bridge.fixtures.KerasFixtureFiles;
import dev.convlens.bridge.fixtures.KerasModelFixture;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hostile model files of every format, built from one small fixture (Dense "d": kernel [4, 3],
 * bias [3]): dataset headers that claim huge or empty shapes, non-finite weights, pipes and link
 * loops, an export manifest of an unknown version, a node index no layer has. Each must be refused
 * within seconds with a {@code ModelFormatException} naming the file, the layer or entry, and what
 * was expected.
 */
class HostileModelFilesTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final KerasModelFixture FIXTURE = FixtureBuilder.sequential("m").input("in", 2, 2, 1)
      .flatten("f").dense("d", 3, "linear").build();
  private static final FloatTensor X = new FloatTensor(new long[] {1, 2, 2, 1}, new float[] {1, -2, 3, 0.5f});

  /**
   * The fixture's weights-only file with the kernel stored as h5py writes compressed data (chunks
   * [2, 3], shuffle + gzip), gzipped and base64-encoded: jhdf cannot write chunked datasets, so it
   * was made once with h5py 3.7 from this class's fixture ({@code create_dataset('kernel:0', (4, 3),
   * '<f4', chunks=(2, 3), compression='gzip', shuffle=True)}). 861 characters.
   */
  private static final String GZIP_KERNEL_H5 = ""
      + "H4sICFApFGsCA2d6Lmg1AOv0cHHj5ZLiYuLgYICB/1DAzQ/hO0DF98gYbGZAA/4eLkFMTA+ALC4mEJ9JCNkEGBDFKsqjy8DA"
      + "zMDDwAHEjDmJlalF8XmJuanFDMICQINAhjEyMDJBLUpjSGHg0QRp4ABCFgbGpMTk7NS8FLBibgaIhpLUvOL8orSc/HIGBh4t"
      + "kGI+iOLs1KLE4viy1KLizPw8sBZ2qBYjPUMjPQMGNl4GBkYBRsYUPUaIfTCBNGZmiMA+EVUxiG/byfOtA8g9vBDflqdmpmeU"
      + "IHmXG827KfpAJ+el5lgZAJlJmYnFQAbCUSmHoa7ctJ35IsRRXgQcxSYE1soGMWsp1B42YaAoAwfMrmVQvzK8uNT7C2KuD5DH"
      + "LMLAIKggDwxIEFBgEOdgEK8HshiB4kxMDIwsUF0w3axA05kFOYA2MjOWQm0ygMqVX7J+WhHXPVNjb8E+rc0vL+fur56nFTdH"
      + "Zmn69vr7+/5+Y+hfwWN4YPq+I8sS7J4+5N6fuCFkD8QlLvhcwgMJPmwu+A51AQ8sJX2x03gxVd96v0azdYEPuy3E9BLyItUO"
      + "EqkiGJEqqGDPwAHNPibcDCb/mSEuRM9AIlUWbVnATKigq2CgZ6lnAqR9MvNKK4B0Ym6KGZjvCnYiUDOjCijAGTECHJ0PDCZG"
      + "bMEEDBZGZmZuMWA6A8UbEIJUMMJZHOJAvUzMm6DmMUGNBHMbGQYeZGxYKxkS5OrKCHQaelQoEtALS4gwdUw41L3iQ+Uz4Qjr"
      + "UTAKRsEoGAWjYBSMglEwuEFFXPFpDatPJht3fTywqV064ucy9YL2N9vvA/sd/AzT27n/AADmhWbLCw8AAA==";

  @TempDir Path dir;
  private Path json;
  private Path weights;
  private byte[] weightBytes;

  /** TensorFlow's first graph takes seconds to start; not the files' doing. */
  @BeforeAll
  static void startTensorFlow(@TempDir Path tmp) {
    KerasModel.load(KerasFixtureFiles.writeKeras2FullH5(FIXTURE, tmp.resolve("warm.h5"))).close();
  }

  @BeforeEach
  void writeFixture() throws IOException {
    json = KerasFixtureFiles.writeModelJson(FIXTURE, dir.resolve("m.json"));
    weights = KerasFixtureFiles.writeWeightsOnlyH5(FIXTURE, dir.resolve("w.h5"), false);
    weightBytes = Files.readAllBytes(weights);
  }

  /** A kernel whose header claims 20000 x 20000 values (1.6 GB) in a 1 KB file: refused from its header. */
  @Test
  void hugeDeclaredShapeIsRefusedBeforeItsDataIsRead() throws IOException {
    Path big = HostileFiles.write(dir.resolve("big.h5"), patch(weightBytes, dataspace(4, 3), dataspace(20000, 20000)));
    assertRefused(json, 5, () -> KerasModel.load(json, LoadOptions.defaults().withWeights(big)).close(),
        "layer 'd'", "dataset /d/d/kernel:0", "[20000, 20000]", "kernel[4, 3]", big.toString());
  }

  /** The same in a full-model .h5 and in a .keras zip, where the model file itself is the culprit. */
  @Test
  void hugeDeclaredShapeInEveryHdf5Layout() throws IOException {
    Path h5 = KerasFixtureFiles.writeKeras2FullH5(FIXTURE, dir.resolve("full.h5"));
    HostileFiles.write(h5, patch(Files.readAllBytes(h5), dataspace(4, 3), dataspace(20000, 20000)));
    assertRefused(h5, 5, () -> KerasModel.load(h5).close(), "layer 'd'", "[20000, 20000]", "kernel[4, 3]");

    Map<String, byte[]> entries = new LinkedHashMap<>(HostileFiles.entries(
        KerasFixtureFiles.writeKerasZip(FIXTURE, dir.resolve("m.keras"))));
    entries.put("model.weights.h5", patch(entries.get("model.weights.h5"), dataspace(4, 3), dataspace(20000, 20000)));
    for (boolean stored : new boolean[] {true, false}) {
      Path zip = HostileFiles.zip(dir.resolve("big-" + stored + ".keras"), entries, stored);
      assertRefused(zip, 5, () -> KerasModel.load(zip).close(), "layer 'd'", "[20000, 20000]", "kernel[4, 3]");
    }
  }

  /**
   * A config whose Dense layer asks for 600 M weights (2.4 GB) and a 1 KB file whose headers agree:
   * more than one weight may hold, refused naming the count (jhdf said only "integer overflow").
   * Under the default limit the config alone is refused, before any weight is read.
   */
  @Test
  void weightOverTwoGibIsRefusedNamingItsSize() throws IOException {
    ObjectNode config = (ObjectNode) JSON.readTree(json.toFile());
    ((ObjectNode) config.at("/config/layers/2/config")).put("units", 150_000_000);
    Path wide = dir.resolve("wide.json");
    JSON.writeValue(wide.toFile(), config);
    byte[] patched = patch(patch(weightBytes, dataspace(4, 3), dataspace(4, 150_000_000)), dataspace(3),
        dataspace(150_000_000));
    Path w = HostileFiles.write(dir.resolve("wide.h5"), patched);
    LoadOptions generous = LoadOptions.defaults().withWeights(w)
        .withLimits(LoadLimits.defaults().withMaxWeightBytes(8L << 30));
    assertRefused(wide, 5, () -> KerasModel.load(wide, generous).close(), "layer 'd'", "600000000 values",
        "2 GiB");
    LoadOptions limited = LoadOptions.defaults().withWeights(w)
        .withLimits(LoadLimits.defaults().withMaxWeightBytes(1L << 30));
    assertRefused(wide, 5, () -> KerasModel.load(wide, limited).close(), "layer 'd'", "LoadLimits.maxWeightBytes",
        "kernel[4, 150000000]");
  }

  /** A dataset without values: named as empty, not as "holds float, expected float32". */
  @Test
  void emptyDatasetIsNamedAsEmpty() throws IOException {
    Path empty = HostileFiles.write(dir.resolve("empty.h5"), patch(weightBytes, dataspace(4, 3), dataspace(4, 0)));
    assertRefused(empty, 5, () -> KerasModel.load(json, LoadOptions.defaults().withWeights(empty)).close(),
        "layer 'd'", "d/kernel:0", "is empty", "kernel[4, 3]");
  }

  /** One +inf in the Dense kernel: refused naming the weight, unless allowed. */
  @Test
  void nonFiniteWeightIsRefusedUnlessAllowed() throws IOException {
    float[] k = FIXTURE.weights(List.of("d")).get(0).value().data();
    Path inf = HostileFiles.write(dir.resolve("inf.h5"),
        patch(weightBytes, floats(k[0], k[1], k[2]), floats(Float.POSITIVE_INFINITY, k[1], k[2])));
    assertRefused(inf, 5, () -> KerasModel.load(json, LoadOptions.defaults().withWeights(inf)).close(),
        "layer 'd'", "d/kernel:0", "Infinity", "index [0, 0]", "withNonFiniteWeights");
    try (KerasModel m = KerasModel.load(json, LoadOptions.defaults().withWeights(inf).withNonFiniteWeights(true))) {
      assertFalse(Float.isFinite(m.predict(X).data()[0]), "allowed: the model loads as stored");
    }
  }

  /** A NaN bias in a .keras zip: the check is the same whatever the format. */
  @Test
  void nonFiniteWeightInAKerasZip() throws IOException {
    float[] b = FIXTURE.weights(List.of("d")).get(1).value().data();
    Map<String, byte[]> entries = new LinkedHashMap<>(HostileFiles.entries(
        KerasFixtureFiles.writeKerasZip(FIXTURE, dir.resolve("m.keras"))));
    entries.put("model.weights.h5", patch(entries.get("model.weights.h5"), floats(b), floats(b[0], Float.NaN, b[2])));
    Path zip = HostileFiles.zip(dir.resolve("nan.keras"), entries, true);
    assertRefused(zip, 5, () -> KerasModel.load(zip).close(), "layer 'd'", "NaN", "index [1]");
  }

  /**
   * A compressed kernel loads like the plain one; one whose first chunk inflates past the 24 bytes
   * its [2, 3] float32 chunk holds is refused before jhdf inflates it (jhdf would, without limit).
   */
  @Test
  void compressedChunkInflatingPastItsSizeIsRefused() throws IOException {
    byte[] h5 = new java.util.zip.GZIPInputStream(new java.io.ByteArrayInputStream(
        java.util.Base64.getDecoder().decode(GZIP_KERNEL_H5))).readAllBytes();
    Path gz = HostileFiles.write(dir.resolve("gz.h5"), h5);
    try (KerasModel plain = KerasModel.load(json, LoadOptions.defaults().withWeights(weights));
        KerasModel compressed = KerasModel.load(json, LoadOptions.defaults().withWeights(gz))) {
      org.junit.jupiter.api.Assertions.assertArrayEquals(plain.predict(X).data(), compressed.predict(X).data());
    }
    byte[] chunk;
    try (io.jhdf.HdfFile f = new io.jhdf.HdfFile(gz)) {
      java.nio.ByteBuffer raw = ((io.jhdf.api.dataset.ChunkedDataset) f.getDatasetByPath("d/d/kernel:0"))
          .getRawChunkBuffer(new int[] {0, 0});
      chunk = new byte[raw.remaining()];
      raw.get(chunk);
    }
    // A zlib stream of 4 KB of zeros, in the chunk's own bytes.
    java.util.zip.Deflater deflater = new java.util.zip.Deflater(9);
    deflater.setInput(new byte[4096]);
    deflater.finish();
    byte[] bomb = new byte[chunk.length];
    int n = deflater.deflate(bomb);
    assertTrue(deflater.finished() && n <= chunk.length, "4 KB of zeros deflate into the chunk's " + chunk.length + " bytes");
    Path inflating = HostileFiles.write(dir.resolve("inflating.h5"), patch(h5, chunk, bomb));
    assertRefused(inflating, 5, () -> KerasModel.load(json, LoadOptions.defaults().withWeights(inflating)).close(),
        "layer 'd'", "d/kernel:0", "chunk at [0, 0]", "more than the 24 bytes");
  }

  /** A named pipe as the model or as its weights file: refused at once instead of blocking forever. */
  @Test
  void namedPipeIsRefusedAtOnce() throws Exception {
    Path fifo = dir.resolve("model.h5");
    Process p = new ProcessBuilder("mkfifo", fifo.toString()).start();
    assumeTrue(p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0, "mkfifo is not available here");
    assertRefused(fifo, 5, () -> KerasModel.load(fifo).close(), "named pipe");
    assertRefused(fifo, 5, () -> KerasModel.load(json, LoadOptions.defaults().withWeights(fifo)).close(),
        "named pipe");
  }

  @Test
  void symbolicLinkLoopIsNamedAsOne() throws IOException {
    Path a = dir.resolve("a.h5");
    Files.createSymbolicLink(a, dir.resolve("b.h5"));
    Files.createSymbolicLink(dir.resolve("b.h5"), a);
    assertRefused(a, 5, () -> KerasModel.load(a).close(), "symbolic link loop");
  }

  @Test
  void modelJsonOverTheConfigLimit() {
    LoadOptions tiny = LoadOptions.defaults().withLimits(LoadLimits.defaults().withMaxConfigBytes(100));
    assertRefused(json, 5, () -> KerasModel.load(json, tiny).close(), "model JSON", "LoadLimits.maxConfigBytes");
  }

  /** ["f", 99, 0, {}]: layer f has one node; the builder used to take it silently. */
  @Test
  void inboundNodeIndexNoLayerHasIsRefused() throws IOException {
    KerasModelFixture functional = FixtureBuilder.functional("fm").input("in", 2, 2, 1).flatten("f")
        .dense("d", 3, "linear").build();
    ObjectNode config = functional.modelConfig().deepCopy();
    ArrayNode ref = (ArrayNode) config.at("/config/layers/2/inbound_nodes/0/0");
    ref.set(1, JSON.getNodeFactory().numberNode(99));
    Path f = dir.resolve("node99.json");
    JSON.writeValue(f.toFile(), config);
    assertRefused(f, 5, () -> KerasModel.load(f, LoadOptions.defaults().withRandomWeights(1)).close(),
        "layer 'd'", "node 99", "layer 'f'", "only node 0");

    ref.set(1, JSON.getNodeFactory().textNode("0"));
    JSON.writeValue(f.toFile(), config);
    assertRefused(f, 5, () -> KerasModel.load(f, LoadOptions.defaults().withRandomWeights(1)).close(),
        "layer 'd'", "malformed tensor reference", "non-negative ints");
  }

  /** An export manifest of version 99 (a newer writer): refused naming the version this reader knows. */
  @Test
  void exportManifestOfAnUnknownVersionIsRefused() throws IOException {
    Path export = exported();
    Path manifest = export.resolve("assets/convlens-model.json");
    ObjectNode m = (ObjectNode) JSON.readTree(manifest.toFile());
    m.put("version", 99);
    JSON.writeValue(manifest.toFile(), m);
    assertRefused(export, 5, () -> KerasModel.load(export).close(), "convlens-model.json", "\"version\": 99",
        "reads version 1");
  }

  /** An export whose config asks for other shapes than its checkpoint holds: refused before restoring. */
  @Test
  void exportCheckpointShapeIsCheckedBeforeRestoring() throws IOException {
    Path export = exported();
    Path manifest = export.resolve("assets/convlens-model.json");
    ObjectNode m = (ObjectNode) JSON.readTree(manifest.toFile());
    ((ObjectNode) m.at("/model_config/config/layers/2/config")).put("units", 5);
    JSON.writeValue(manifest.toFile(), m);
    assertRefused(export, 5, () -> KerasModel.load(export).close(), "layer 'd'", "[4, 3]", "kernel[4, 5]");
  }

  private Path exported() {
    Path export = dir.resolve("export");
    try (KerasModel model = KerasModel.load(json, LoadOptions.defaults().withWeights(weights))) {
      model.exportSavedModel(export);
    }
    try (KerasModel back = KerasModel.load(export)) {
      assertEquals(3, back.predict(X).size(), "the untouched export loads");
    }
    return export;
  }
}
