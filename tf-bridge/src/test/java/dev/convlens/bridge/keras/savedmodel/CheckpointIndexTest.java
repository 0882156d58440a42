package dev.convlens.bridge.keras.savedmodel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convlens.bridge.KerasModel;
import dev.convlens.bridge.LoadOptions;
import dev.convlens.bridge.ModelFormatException;
import dev.convlens.bridge.fixtures.FixtureBuilder;
import dev.convlens.bridge.fixtures.KerasFixtureFiles;
import dev.convlens.bridge.fixtures.KerasModelFixture;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.proto.BundleEntryProto;
import org.tensorflow.proto.BundleHeaderProto;
import org.tensorflow.proto.TensorShapeProto;
import org.tensorflow.proto.VersionDef;

/**
 * The tensor-bundle index is read before TensorFlow restores anything, so that an entry declaring
 * a huge shape or a byte range outside its data shard is refused instead of allocated. Indexes are
 * rewritten here (a plain LevelDB table, as TF writes it) from a convlens export of a small model.
 */
class CheckpointIndexTest {
  @TempDir static Path dir;
  private static Path export;
  private static CheckpointIndex index;

  @BeforeAll
  static void export() throws IOException {
    KerasModelFixture f = FixtureBuilder.sequential("m").input("in", 2, 2, 1).flatten("f").dense("d", 3, "linear")
        .build();
    Path json = KerasFixtureFiles.writeModelJson(f, dir.resolve("m.json"));
    Path weights = KerasFixtureFiles.writeWeightsOnlyH5(f, dir.resolve("w.h5"), false);
    export = dir.resolve("export");
    try (KerasModel m = KerasModel.load(json, LoadOptions.defaults().withWeights(weights))) {
      m.exportSavedModel(export);
    }
    index = CheckpointIndex.parse(indexFile(export), Files.readAllBytes(indexFile(export)));
  }

  @Test
  void entriesAreReadWithTheirShapes() {
    CheckpointIndex.Entry kernel = index.entry(kernelKey());
    assertArrayEquals(new long[] {4, 3}, kernel.shape());
    assertEquals(48, kernel.size());
    assertEquals(1, index.shards());
  }

  /** The kernel's entry claims 600 M values in its 48 bytes: refused from the index, nothing restored. */
  @Test
  void entryDeclaringAHugeShapeIsRefused() throws IOException {
    Path copy = rewritten("huge", e -> e.toBuilder().setShape(shape(4, 150_000_000)).build());
    ModelFormatException e = refused(copy);
    assertTrue(e.getMessage().contains("[4, 150000000]") && e.getMessage().contains(kernelKey())
        && e.getMessage().contains("variables.index"), e.getMessage());
  }

  @Test
  void entryOutsideItsDataShardIsRefused() throws IOException {
    Path copy = rewritten("outside", e -> e.toBuilder().setOffset(1L << 40).build());
    ModelFormatException e = refused(copy);
    assertTrue(e.getMessage().contains("outside its data shard") && e.getMessage().contains(kernelKey()),
        e.getMessage());
  }

  @Test
  void entryOfAnotherTypeIsRefused() throws IOException {
    Path copy = rewritten("int", e -> e.toBuilder().setDtype(org.tensorflow.proto.DataType.DT_INT64).build());
    ModelFormatException e = refused(copy);
    assertTrue(e.getMessage().contains("DT_INT64") && e.getMessage().contains("float32"), e.getMessage());
  }

  @Test
  void garbageIndexIsRefused() throws IOException {
    Path copy = copyExport("garbage");
    Files.write(indexFile(copy), new byte[100]);
    ModelFormatException e = refused(copy);
    assertTrue(e.getMessage().contains("variables.index") && e.getMessage().contains("not a tensor-bundle index"),
        e.getMessage());
  }

  private static ModelFormatException refused(Path export) {
    return Assertions.assertTimeoutPreemptively(Duration.ofSeconds(10),
        () -> assertThrows(ModelFormatException.class, () -> KerasModel.load(export).close()));
  }

  private static String kernelKey() {
    return index.keys().stream().filter(k -> k.contains("kernel")).findFirst().orElseThrow();
  }

  private static TensorShapeProto shape(long... dims) {
    TensorShapeProto.Builder b = TensorShapeProto.newBuilder();
    for (long d : dims) {
      b.addDim(TensorShapeProto.Dim.newBuilder().setSize(d));
    }
    return b.build();
  }

  /** A copy of the export whose index has the kernel's entry changed by {@code edit}. */
  private static Path rewritten(String name, UnaryOperator<BundleEntryProto> edit) throws IOException {
    Path copy = copyExport(name);
    TreeMap<String, byte[]> entries = new TreeMap<>();
    entries.put("", BundleHeaderProto.newBuilder().setNumShards(1)
        .setVersion(VersionDef.newBuilder().setProducer(1)).build().toByteArray());
    for (String key : index.keys()) {
      CheckpointIndex.Entry e = index.entry(key);
      BundleEntryProto.Builder b = BundleEntryProto.newBuilder().setDtype(e.dtype()).setShardId(e.shard())
          .setOffset(e.offset()).setSize(e.size());
      if (e.shape() != null) {
        b.setShape(shape(e.shape()));
      }
      BundleEntryProto proto = b.build();
      entries.put(key, (key.equals(kernelKey()) ? edit.apply(proto) : proto).toByteArray());
    }
    Files.write(indexFile(copy), table(entries));
    return copy;
  }

  /** A LevelDB table: one data block, one index block, footer; no prefix compression, blocks uncompressed. */
  private static byte[] table(TreeMap<String, byte[]> entries) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] data = block(entries.entrySet().stream().map(e -> new byte[][] {e.getKey().getBytes(StandardCharsets.UTF_8),
        e.getValue()}).toList());
    out.writeBytes(data);
    out.writeBytes(new byte[5]);  // type 0 (plain), crc unchecked by convlens
    long indexOffset = out.size();
    ByteArrayOutputStream handle = new ByteArrayOutputStream();
    varint(handle, 0);
    varint(handle, data.length);
    byte[] indexBlock = block(List.<byte[][]>of(new byte[][] {entries.lastKey().getBytes(StandardCharsets.UTF_8)
        .clone(), handle.toByteArray()}));
    out.writeBytes(indexBlock);
    out.writeBytes(new byte[5]);
    ByteArrayOutputStream footer = new ByteArrayOutputStream();
    varint(footer, 0);
    varint(footer, 0);  // metaindex
    varint(footer, indexOffset);
    varint(footer, indexBlock.length);
    footer.writeBytes(new byte[40 - footer.size()]);
    footer.writeBytes(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(0xdb4775248b80fb57L).array());
    out.writeBytes(footer.toByteArray());
    return out.toByteArray();
  }

  private static byte[] block(List<byte[][]> entries) {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    for (byte[][] kv : entries) {
      varint(b, 0);
      varint(b, kv[0].length);
      varint(b, kv[1].length);
      b.writeBytes(kv[0]);
      b.writeBytes(kv[1]);
    }
    b.writeBytes(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putInt(0).putInt(1).array());
    return b.toByteArray();
  }

  private static void varint(ByteArrayOutputStream out, long v) {
    while ((v & ~0x7fL) != 0) {
      out.write((int) ((v & 0x7f) | 0x80));
      v >>>= 7;
    }
    out.write((int) v);
  }

  private static Path copyExport(String name) throws IOException {
    Path copy = dir.resolve(name);
    List<Path> files = new ArrayList<>();
    try (var walk = Files.walk(export)) {
      walk.forEach(files::add);
    }
    for (Path p : files) {
      Path target = copy.resolve(export.relativize(p).toString());
      if (Files.isDirectory(p)) {
        Files.createDirectories(target);
      } else {
        Files.copy(p, target);
      }
    }
    return copy;
  }

  private static Path indexFile(Path export) {
    return export.resolve("variables/variables.index");
  }
}
