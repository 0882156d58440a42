package dev.convlens.bridge.keras.savedmodel;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/** Writes keras_metadata.pb bytes the way Keras does (field numbers as documented in KerasMetadata). */
final class KerasMetadataBytes {
  record Record(int nodeId, String nodePath, String identifier, String metadataJson) {}

  private KerasMetadataBytes() {}

  static byte[] of(Record... records) {
    return withUnknownFields(null, records);
  }

  /** With {@code extra} written as unknown fields (99) at both levels, as a newer Keras might. */
  static byte[] withUnknownFields(ByteString extra, Record... records) {
    try {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      CodedOutputStream coded = CodedOutputStream.newInstance(out);
      for (Record r : records) {
        ByteArrayOutputStream node = new ByteArrayOutputStream();
        CodedOutputStream n = CodedOutputStream.newInstance(node);
        if (r.nodeId() != 0) {
          n.writeInt32(2, r.nodeId()); // proto3 omits the default, as Keras' root record shows
        }
        n.writeString(3, r.nodePath());
        n.writeString(4, r.identifier());
        n.writeString(5, r.metadataJson());
        n.writeByteArray(6, new byte[] {0x08, 0x02, 0x10, 0x01}); // VersionDef{producer 2, min_consumer 1}
        if (extra != null) {
          n.writeBytes(99, extra);
        }
        n.flush();
        coded.writeByteArray(1, node.toByteArray());
      }
      if (extra != null) {
        coded.writeBytes(99, extra);
      }
      coded.flush();
      return out.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
