package dev.convlens.bridge.keras;

import dev.convlens.bridge.ModelFormatException;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.zip.ZipEntry;

/**
 * Where the bytes of a stored (uncompressed) zip entry lie in the file, so that it can be read in
 * place. {@link ZipEntry} does not tell, so the central directory is walked once (streamed, so a
 * huge directory costs time, not memory) and the entry's local header read; both must agree with
 * what {@link java.util.zip.ZipFile} reported, and a name that appears twice is refused, so that
 * this reads the very entry the rest of the loader saw.
 */
final class StoredEntry {
  private static final int EOCD = 0x06054b50;
  private static final int ZIP64_LOCATOR = 0x07064b50;
  private static final int ZIP64_EOCD = 0x06064b50;
  private static final int CENTRAL = 0x02014b50;
  private static final int LOCAL = 0x04034b50;
  private static final long U32 = 0xFFFFFFFFL;

  private final Path zip;
  private final FileChannel channel;
  private final long fileSize;

  private StoredEntry(Path zip, FileChannel channel) throws IOException {
    this.zip = zip;
    this.channel = channel;
    this.fileSize = channel.size();
  }

  /** The offset of {@code entry}'s data in {@code zip}, which {@code channel} reads. */
  static long dataOffset(Path zip, FileChannel channel, ZipEntry entry) throws IOException {
    return new StoredEntry(zip, channel).find(entry);
  }

  private long find(ZipEntry entry) throws IOException {
    long[] directory = centralDirectory();
    long localHeader = -1;
    // Not closed: closing a channel's stream closes the channel, which the caller still reads.
    InputStream raw = new BufferedInputStream(Channels.newInputStream(channel.position(directory[0])), 1 << 16);
    try {
      DataInputStream in = new DataInputStream(new LimitedStream(raw, directory[1]));
      for (long i = 0; i < directory[2]; i++) {
        long offset = centralEntry(in, entry);
        if (offset >= 0) {
          if (localHeader >= 0) {
            throw fail("the zip holds two entries named " + entry.getName());
          }
          localHeader = offset;
        }
      }
    } catch (EOFException e) {
      throw fail("central directory ends early");
    }
    if (localHeader < 0) {
      throw fail("central directory lists no " + entry.getName());
    }
    ByteBuffer local = read(localHeader, 30);
    if (local.getInt(0) != LOCAL || (local.getShort(8) & 0xffff) != ZipEntry.STORED) {
      throw fail("local header of " + entry.getName() + " at " + localHeader + " is missing or disagrees");
    }
    int nameLength = local.getShort(26) & 0xffff;
    int extraLength = local.getShort(28) & 0xffff;
    String name = new String(read(localHeader + 30, nameLength).array(), StandardCharsets.UTF_8);
    long data = localHeader + 30 + nameLength + extraLength;
    if (!name.equals(entry.getName()) || data > fileSize - entry.getCompressedSize()) {
      throw fail("local header of " + entry.getName() + " names '" + name + "' or its data lies outside the file");
    }
    return data;
  }

  /** {offset, size, entry count} of the central directory, from the (zip64) end record. */
  private long[] centralDirectory() throws IOException {
    int tail = (int) Math.min(fileSize, 22 + 0xFFFF);
    ByteBuffer end = read(fileSize - tail, tail);
    int at = -1;
    for (int i = tail - 22; i >= 0; i--) {
      if (end.getInt(i) == EOCD) {
        at = i;
        break;
      }
    }
    if (at < 0) {
      throw fail("no end-of-central-directory record");
    }
    long count = end.getShort(at + 10) & 0xffff;
    long size = end.getInt(at + 12) & U32;
    long offset = end.getInt(at + 16) & U32;
    if (count == 0xffff || size == U32 || offset == U32) {
      long locator = fileSize - tail + at - 20;
      ByteBuffer loc = read(locator, 20);
      if (loc.getInt(0) != ZIP64_LOCATOR) {
        throw fail("zip64 end locator missing");
      }
      ByteBuffer z = read(loc.getLong(8), 56);
      if (z.getInt(0) != ZIP64_EOCD) {
        throw fail("zip64 end record missing");
      }
      count = z.getLong(32);
      size = z.getLong(40);
      offset = z.getLong(48);
    }
    if (offset < 0 || size < 0 || count < 0 || offset > fileSize - size) {
      throw fail("central directory outside the file");
    }
    return new long[] {offset, size, count};
  }

  /** Reads one central directory record; its local header offset if it is {@code entry}, else -1. */
  private long centralEntry(DataInputStream in, ZipEntry entry) throws IOException {
    byte[] fixed = new byte[46];
    in.readFully(fixed);
    ByteBuffer h = ByteBuffer.wrap(fixed).order(ByteOrder.LITTLE_ENDIAN);
    if (h.getInt(0) != CENTRAL) {
      throw fail("bad central directory record");
    }
    int method = h.getShort(10) & 0xffff;
    long compressed = h.getInt(20) & U32;
    long size = h.getInt(24) & U32;
    long local = h.getInt(42) & U32;
    byte[] name = new byte[h.getShort(28) & 0xffff];
    byte[] extra = new byte[h.getShort(30) & 0xffff];
    in.readFully(name);
    in.readFully(extra);
    in.skipNBytes(h.getShort(32) & 0xffff);
    if (!new String(name, StandardCharsets.UTF_8).equals(entry.getName())) {
      return -1;
    }
    // Zip64: the 32-bit fields that overflowed are in extra block 0x0001, in this order.
    ByteBuffer x = ByteBuffer.wrap(extra).order(ByteOrder.LITTLE_ENDIAN);
    while (x.remaining() >= 4) {
      int id = x.getShort() & 0xffff;
      int length = x.getShort() & 0xffff;
      if (length > x.remaining()) {
        break;
      }
      int next = x.position() + length;
      if (id == 1) {
        if (size == U32 && x.position() + 8 <= next) {
          size = x.getLong();
        }
        if (compressed == U32 && x.position() + 8 <= next) {
          compressed = x.getLong();
        }
        if (local == U32 && x.position() + 8 <= next) {
          local = x.getLong();
        }
      }
      x.position(next);
    }
    if (method != ZipEntry.STORED || compressed != entry.getCompressedSize() || size != entry.getSize()
        || local < 0 || local > fileSize - 30) {
      throw fail("central directory record of " + entry.getName() + " disagrees with the zip's index");
    }
    return local;
  }

  private ByteBuffer read(long at, int n) throws IOException {
    if (at < 0 || at > fileSize - n) {
      throw fail("record at " + at + " lies outside the file");
    }
    ByteBuffer b = ByteBuffer.allocate(n).order(ByteOrder.LITTLE_ENDIAN);
    while (b.hasRemaining()) {
      if (channel.read(b, at + b.position()) < 0) {
        throw fail("file ends inside a record at " + at);
      }
    }
    return b;
  }

  private ModelFormatException fail(String why) {
    return new ModelFormatException(zip, "corrupt zip: " + why);
  }

  /** At most {@code left} bytes of {@code in}: the central directory's declared size. */
  private static final class LimitedStream extends java.io.FilterInputStream {
    private long left;

    LimitedStream(InputStream in, long left) {
      super(in);
      this.left = left;
    }

    @Override
    public int read() throws IOException {
      if (left <= 0) {
        return -1;
      }
      int b = super.read();
      if (b >= 0) {
        left--;
      }
      return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      if (left <= 0) {
        return -1;
      }
      int n = super.read(b, off, (int) Math.min(len, left));
      if (n > 0) {
        left -= n;
      }
      return n;
    }
  }
}
