package dev.convlens.bridge.keras;

import io.jhdf.HdfFile;
import java.io.File;
import java.nio.channels.FileChannel;
import java.nio.file.Path;

/**
 * An HDF5 file read from a channel (a zip entry's window) that reports {@code source} as its file:
 * jhdf 0.9.4's channel-backed files have no path, and its {@code close()} logs the path after
 * closing, which fails for them.
 */
final class ChannelHdfFile extends HdfFile {
  private final Path source;

  ChannelHdfFile(FileChannel channel, Path source) {
    super(channel);
    this.source = source;
  }

  @Override
  public Path getFileAsPath() {
    return source;
  }

  @Override
  public File getFile() {
    return source.toFile();
  }
}
