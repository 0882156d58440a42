package dev.convlens.bridge.keras;

import static dev.convlens.bridge.keras.HostileFiles.assertRefused;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convlens.bridge.FloatTensor;
import dev.convlens.bridge.KerasModel;
import dev.convlens.bridge.LoadLimits;
import dev.convlens.bridge.LoadOptions;
import dev.convlens.bridge.ModelFormatException;
import dev.convlens.bridge.fixtures.FixtureBuilder;
import dev.convlens.bridge.fixtures.KerasFixtureFiles;
import dev.convlens.bridge.fixtures.KerasModelFixture;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Small {@code .keras} zips that inflate to far more than they hold: each is refused while it
 * inflates, naming the file, the entry and the limit, without filling the heap or the temp folder;
 * and the normal stored zip is read in place.
 */
class HostileKerasZipTest {
  private static final long MIB = 1 << 20;

  @TempDir Path dir;
  private Map<String, byte[]> good;

  @BeforeEach
  void writeFixture() throws IOException {
    KerasModelFixture f = FixtureBuilder.sequential("m").input("in", 2, 2, 1).flatten("f").dense("d", 3, "linear")
        .build();
    good = HostileFiles.entries(KerasFixtureFiles.writeKerasZip(f, dir.resolve("good.keras")));
  }

  /** 64 MiB of spaces after the JSON (a 64 KB zip): over the default 16 MiB limit, refused while inflating. */
  @ParameterizedTest
  @ValueSource(strings = {"config.json", "metadata.json"})
  void jsonEntryInflatingPastTheDefaultLimit(String entry) throws IOException {
    Path f = HostileFiles.bomb(dir.resolve("bomb.keras"), good, entry, good.get(entry), (byte) ' ', 64 * MIB);
    assertRefused(f, 10, () -> KerasModel.load(f).close(), entry, "LoadLimits.maxConfigBytes",
        Long.toString(LoadLimits.DEFAULT_MAX_CONFIG_BYTES));
  }

  /** The central directory claims 100 bytes: the bytes actually inflated are what is counted. */
  @ParameterizedTest
  @ValueSource(strings = {"config.json", "metadata.json"})
  void jsonEntryWhoseDeclaredSizeLies(String entry) throws IOException {
    Path f = HostileFiles.bomb(dir.resolve("liar.keras"), good, entry, good.get(entry), (byte) ' ', 8 * MIB);
    HostileFiles.lieAboutSize(f, entry, 100);
    LoadOptions small = LoadOptions.defaults().withLimits(LoadLimits.defaults().withMaxConfigBytes(MIB));
    assertRefused(f, 10, () -> KerasModel.load(f, small).close(), entry, "more than the limit of 1048576 bytes",
        "LoadLimits.maxConfigBytes");
  }

  @Test
  void garbageMetadataJsonIsNamedAsSuch() throws IOException {
    Map<String, byte[]> entries = new LinkedHashMap<>(good);
    entries.put("metadata.json", "{\"keras_version\": \"3.1".getBytes(StandardCharsets.UTF_8));
    Path f = HostileFiles.zip(dir.resolve("bad-metadata.keras"), entries, false);
    ModelFormatException e = assertRefused(f, 10, () -> KerasModel.load(f).close(), "metadata.json",
        "not valid JSON");
    assertFalse(e.getMessage().contains("model config"), e.getMessage());
  }

  /** 64 MiB of zeros as model.weights.h5: not HDF5 from its first bytes, so nothing is written. */
  @Test
  void weightsEntryOfZerosIsRefusedFromItsFirstBytes() throws IOException {
    Path f = HostileFiles.bomb(dir.resolve("zeros.keras"), good, "model.weights.h5", new byte[0], (byte) 0, 64 * MIB);
    long before = tempWeightFiles();
    assertRefused(f, 10, () -> KerasModel.load(f).close(), "model.weights.h5", "HDF5 superblock");
    assertEquals(before, tempWeightFiles(), "no temporary weights file is left behind");
  }

  /**
   * Real weights followed by 32 MiB of padding, compressed: inflating stops just past the length
   * the HDF5 superblock declares; stored (read in place): the trailing bytes are refused as well.
   */
  @ParameterizedTest
  @ValueSource(booleans = {false, true})
  void weightsFollowedByPadding(boolean stored) throws IOException {
    byte[] weights = good.get("model.weights.h5");
    Path f;
    if (stored) {
      Map<String, byte[]> entries = new LinkedHashMap<>(good);
      byte[] padded = java.util.Arrays.copyOf(weights, weights.length + (int) (4 * MIB));
      entries.put("model.weights.h5", padded);
      f = HostileFiles.zip(dir.resolve("padded-stored.keras"), entries, true);
    } else {
      f = HostileFiles.bomb(dir.resolve("padded.keras"), good, "model.weights.h5", weights, (byte) 0,
          weights.length + 32 * MIB);
    }
    long before = tempWeightFiles();
    assertRefused(f, 10, () -> KerasModel.load(f).close(), "model.weights.h5", "padded or corrupt",
        Integer.toString(weights.length));
    assertEquals(before, tempWeightFiles(), "no temporary weights file is left behind");
  }

  /** A weights entry over twice maxWeightBytes (float64 storage) plus maxConfigBytes is refused by its declared size. */
  @Test
  void weightsEntryOverTheLimitIsRefusedByItsDeclaredSize() throws IOException {
    Map<String, byte[]> entries = new LinkedHashMap<>(good);
    entries.put("model.weights.h5", java.util.Arrays.copyOf(good.get("model.weights.h5"), (int) (4 * MIB)));
    Path f = HostileFiles.zip(dir.resolve("large.keras"), entries, true);
    LoadOptions small = LoadOptions.defaults().withLimits(new LoadLimits(MIB, MIB));
    assertRefused(f, 10, () -> KerasModel.load(f, small).close(), "model.weights.h5", "(declared)",
        "LoadLimits.maxWeightBytes");
  }

  /** Keras stores its zip entries uncompressed: the weights are then read in place, with no temporary copy. */
  @Test
  void storedWeightsAreReadInPlace() throws IOException {
    Path deflated = HostileFiles.zip(dir.resolve("deflated.keras"), good, false);
    Path stored = HostileFiles.zip(dir.resolve("stored.keras"), good, true);
    FloatTensor x = new FloatTensor(new long[] {1, 2, 2, 1}, new float[] {1, -2, 3, 0.5f});
    long before = tempWeightFiles();
    try (KerasModel a = KerasModel.load(deflated); KerasModel b = KerasModel.load(stored)) {
      assertArrayEquals(a.predict(x).data(), b.predict(x).data());
    }
    assertEquals(before, tempWeightFiles(), "no temporary weights file is left behind");
    try (WeightSource w = KerasFiles.read(stored, null).weights(); WeightSource c = KerasFiles.read(deflated, null).weights()) {
      assertTrue(((KerasZipWeights) w).readInPlace(), "stored weights are read from the zip itself");
      assertFalse(((KerasZipWeights) c).readInPlace(), "compressed weights are inflated to a (deleted) copy");
    }
  }

  /** Two stored entries named model.weights.h5: which one the zip index means is ambiguous, so refused. */
  @Test
  void storedWeightsNamedTwiceAreRefused() throws IOException {
    Map<String, byte[]> entries = new LinkedHashMap<>(good);
    entries.put("model.weights.hX", good.get("model.weights.h5"));
    Path f = HostileFiles.zip(dir.resolve("twice.keras"), entries, true);
    byte[] b = Files.readAllBytes(f);
    byte[] from = "model.weights.hX".getBytes(StandardCharsets.UTF_8);
    byte[] to = "model.weights.h5".getBytes(StandardCharsets.UTF_8);
    for (int at = HostileFiles.indexOf(b, from, 0); at >= 0; at = HostileFiles.indexOf(b, from, at + 1)) {
      System.arraycopy(to, 0, b, at, to.length);
    }
    Files.write(f, b);
    assertRefused(f, 10, () -> KerasModel.load(f).close(), "two entries named model.weights.h5");
  }

  private static long tempWeightFiles() throws IOException {
    try (Stream<Path> s = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
      return s.filter(p -> p.getFileName().toString().startsWith("convlens-keras-weights-")).count();
    }
  }
}
