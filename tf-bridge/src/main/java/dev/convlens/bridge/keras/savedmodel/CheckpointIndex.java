package dev.convlens.bridge.keras.savedmodel;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.convlens.bridge.ModelFormatException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.tensorflow.proto.BundleEntryProto;
import org.tensorflow.proto.BundleHeaderProto;
import org.tensorflow.proto.DataType;
import org.tensorflow.proto.TensorShapeProto;

/**
 * The entries of a tensor-bundle index ({@code variables/variables.index}): each tensor's dtype,
 * shape, shard and byte range, read here so that they can be checked before TensorFlow's
 * {@code RestoreV2} allocates what an entry declares. The index is a LevelDB-style table (as TF's
 * {@code BundleWriter} writes it, uncompressed): a footer with the index block's handle, index
 * entries pointing at data blocks, data entries from tensor name to {@code BundleEntryProto}; the
 * entry with the empty key is the {@code BundleHeaderProto}.
 */
final class CheckpointIndex {
  private static final long MAGIC = 0xdb4775248b80fb57L;
  private static final int FOOTER = 48;
  private static final int BLOCK_TRAILER = 5;
  /** Longest tensor name accepted; Keras' are about 100 bytes ({@code layer_with_weights-0/kernel/.ATTRIBUTES/...}). */
  private static final int MAX_KEY = 4096;
  /** Most tensors accepted: far above any Keras model (one per variable, slot and counter). */
  private static final int MAX_ENTRIES = 1_000_000;
  /** Most bytes of tensor names in all: what parsing may hold in memory, whatever the prefix compression. */
  private static final long MAX_KEY_BYTES = 32L << 20;

  /** One tensor of the bundle. {@code shape} is null for an entry of unknown rank. */
  record Entry(String key, DataType dtype, long @Nullable [] shape, int shard, long offset, long size, boolean sliced) {
    /** The number of values, or -1 when it does not fit a long (or the rank is unknown). */
    long count() {
      if (shape == null) {
        return -1;
      }
      long n = 1;
      for (long d : shape) {
        if (d < 0 || (d > 0 && n > Long.MAX_VALUE / d)) {
          return -1;
        }
        n *= d;
      }
      return n;
    }
  }

  private final Path file;
  private final byte[] bytes;
  private final Map<String, Entry> entries = new HashMap<>();
  private int shards = 1;
  private long blockBytes;
  private int entryCount;
  private long keyBytes;

  private CheckpointIndex(Path file, byte[] bytes) {
    this.file = file;
    this.bytes = bytes;
  }

  static CheckpointIndex parse(Path file, byte[] bytes) {
    CheckpointIndex index = new CheckpointIndex(file, bytes);
    try {
      index.read();
    } catch (IndexOutOfBoundsException | IllegalArgumentException | java.nio.BufferUnderflowException e) {
      throw index.fail("corrupt tensor-bundle index (" + e.getMessage() + ")");
    }
    return index;
  }

  @Nullable Entry entry(String key) {
    return entries.get(key);
  }

  /** Every tensor name in the bundle. */
  java.util.Set<String> keys() {
    return java.util.Collections.unmodifiableSet(entries.keySet());
  }

  int shards() {
    return shards;
  }

  private void read() {
    if (bytes.length < FOOTER) {
      throw fail("too short for a tensor-bundle index (" + bytes.length + " bytes)");
    }
    ByteBuffer footer = ByteBuffer.wrap(bytes, bytes.length - FOOTER, FOOTER).order(ByteOrder.LITTLE_ENDIAN);
    if (footer.getLong(bytes.length - 8) != MAGIC) {
      throw fail("not a tensor-bundle index (no table magic at its end)");
    }
    int[] at = {bytes.length - FOOTER};
    varint(at);
    varint(at);  // metaindex handle, unused
    long indexOffset = varint(at);
    long indexSize = varint(at);
    block(indexOffset, indexSize, (key, value, from) -> {
      int[] v = {from};
      long offset = varint(v);
      long size = varint(v);
      block(offset, size, (k, val, start) -> entry(k, Arrays.copyOfRange(bytes, start, start + val)));
    });
  }

  private void entry(String key, byte[] value) {
    try {
      if (key.isEmpty()) {
        BundleHeaderProto header = BundleHeaderProto.parseFrom(value);
        shards = Math.max(1, header.getNumShards());
        return;
      }
      BundleEntryProto e = BundleEntryProto.parseFrom(value);
      TensorShapeProto s = e.getShape();
      long[] shape = null;
      if (!s.getUnknownRank()) {
        shape = s.getDimList().stream().mapToLong(TensorShapeProto.Dim::getSize).toArray();
      }
      entries.put(key, new Entry(key, e.getDtype(), shape, e.getShardId(), e.getOffset(), e.getSize(),
          e.getSlicesCount() > 0));
    } catch (InvalidProtocolBufferException e) {
      throw fail("entry '" + key + "' is not a BundleEntryProto: " + e.getMessage());
    }
  }

  private interface EntryVisitor {
    /** {@code value} bytes start at {@code from} in the file's bytes. */
    void visit(String key, int value, int from);
  }

  /**
   * Walks the entries of the block at {@code [offset, offset + size)}: prefix-compressed keys,
   * restarts at its end. Bounded so that a hostile index costs time and memory in proportion to
   * its size: blocks may not overlap, keys are short, entries few (real indexes hold about 100
   * bytes per variable).
   */
  private void block(long offset, long size, EntryVisitor visitor) {
    if (offset < 0 || size < 4 || offset > bytes.length - size - BLOCK_TRAILER) {
      throw fail("block [" + offset + ", +" + size + ") lies outside the index");
    }
    blockBytes += size;
    if (blockBytes > 2L * bytes.length) {
      throw fail("its blocks overlap (they add up to more than the file)");
    }
    int start = (int) offset;
    int end = start + (int) size;
    if (bytes[end] != 0) {
      throw fail("block at " + offset + " is compressed (type " + bytes[end] + "); TensorFlow writes them plain");
    }
    int restarts = ByteBuffer.wrap(bytes, end - 4, 4).order(ByteOrder.LITTLE_ENDIAN).getInt();
    long limit = (long) end - 4 - 4L * restarts;
    if (restarts < 0 || limit < start) {
      throw fail("block at " + offset + " has a bad restart count " + restarts);
    }
    byte[] key = new byte[MAX_KEY];
    int keyLength = 0;
    int[] at = {start};
    while (at[0] < limit) {
      long shared = varint(at);
      long unshared = varint(at);
      long valueLength = varint(at);
      if (shared > keyLength || shared + unshared > MAX_KEY || at[0] + unshared + valueLength > limit) {
        throw fail("entry at " + at[0] + " overruns its block or has a key over " + MAX_KEY + " bytes");
      }
      keyBytes += shared + unshared;
      if (++entryCount > MAX_ENTRIES || keyBytes > MAX_KEY_BYTES) {
        throw fail("more than " + MAX_ENTRIES + " entries or " + MAX_KEY_BYTES + " bytes of tensor names");
      }
      System.arraycopy(bytes, at[0], key, (int) shared, (int) unshared);
      keyLength = (int) (shared + unshared);
      at[0] += (int) unshared;
      visitor.visit(new String(key, 0, keyLength, StandardCharsets.UTF_8), (int) valueLength, at[0]);
      at[0] += (int) valueLength;
    }
  }

  private long varint(int[] at) {
    long v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (at[0] >= bytes.length) {
        throw fail("truncated varint");
      }
      byte b = bytes[at[0]++];
      v |= (long) (b & 0x7f) << shift;
      if (b >= 0) {
        return v;
      }
    }
    throw fail("malformed varint");
  }

  ModelFormatException fail(String why) {
    return new ModelFormatException(file, why);
  }
}
