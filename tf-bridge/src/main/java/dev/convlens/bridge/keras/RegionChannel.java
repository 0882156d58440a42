package dev.convlens.bridge.keras;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.NonWritableChannelException;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;

/**
 * A read-only window {@code [offset, offset + size)} of a file, seen as a whole file: how a stored
 * (uncompressed) zip entry is handed to jhdf without copying it anywhere. Maps delegate to the
 * file's own channel, so large datasets are memory-mapped exactly as for a plain {@code .h5}.
 */
final class RegionChannel extends FileChannel {
  private final FileChannel file;
  private final long offset;
  private final long size;
  private long position;

  RegionChannel(FileChannel file, long offset, long size) {
    this.file = file;
    this.offset = offset;
    this.size = size;
  }

  @Override
  public int read(ByteBuffer dst) throws IOException {
    int n = read(dst, position);
    if (n > 0) {
      position += n;
    }
    return n;
  }

  @Override
  public int read(ByteBuffer dst, long at) throws IOException {
    if (at < 0) {
      throw new IllegalArgumentException("negative position " + at);
    }
    if (at >= size) {
      return -1;
    }
    long left = size - at;
    if (dst.remaining() <= left) {
      return file.read(dst, offset + at);
    }
    // Never read past the window: the bytes after it belong to other zip entries.
    ByteBuffer window = dst.slice(dst.position(), (int) left);
    int n = file.read(window, offset + at);
    if (n > 0) {
      dst.position(dst.position() + n);
    }
    return n;
  }

  @Override
  public long read(ByteBuffer[] dsts, int from, int length) throws IOException {
    long total = 0;
    for (int i = from; i < from + length; i++) {
      int n = read(dsts[i]);
      if (n < 0) {
        return total == 0 ? -1 : total;
      }
      total += n;
      if (dsts[i].hasRemaining()) {
        break;
      }
    }
    return total;
  }

  @Override
  public MappedByteBuffer map(MapMode mode, long at, long length) throws IOException {
    if (mode != MapMode.READ_ONLY) {
      throw new NonWritableChannelException();
    }
    if (at < 0 || length < 0 || at > size - length) {
      throw new IOException("range [" + at + ", " + at + " + " + length + ") outside the " + size + " bytes of the entry");
    }
    return file.map(mode, offset + at, length);
  }

  @Override
  public long position() {
    return position;
  }

  @Override
  public FileChannel position(long newPosition) {
    if (newPosition < 0) {
      throw new IllegalArgumentException("negative position " + newPosition);
    }
    position = newPosition;
    return this;
  }

  @Override
  public long size() {
    return size;
  }

  @Override
  public int write(ByteBuffer src) {
    throw new NonWritableChannelException();
  }

  @Override
  public int write(ByteBuffer src, long at) {
    throw new NonWritableChannelException();
  }

  @Override
  public long write(ByteBuffer[] srcs, int from, int length) {
    throw new NonWritableChannelException();
  }

  @Override
  public FileChannel truncate(long newSize) {
    throw new NonWritableChannelException();
  }

  @Override
  public void force(boolean metaData) {
    // read-only: nothing to flush
  }

  @Override
  public long transferTo(long at, long count, WritableByteChannel target) throws IOException {
    if (at >= size) {
      return 0;
    }
    return file.transferTo(offset + at, Math.min(count, size - at), target);
  }

  @Override
  public long transferFrom(ReadableByteChannel src, long at, long count) {
    throw new NonWritableChannelException();
  }

  @Override
  public FileLock lock(long at, long length, boolean shared) {
    throw new UnsupportedOperationException("a zip entry cannot be locked");
  }

  @Override
  public FileLock tryLock(long at, long length, boolean shared) {
    throw new UnsupportedOperationException("a zip entry cannot be locked");
  }

  @Override
  protected void implCloseChannel() throws IOException {
    file.close();
  }
}
