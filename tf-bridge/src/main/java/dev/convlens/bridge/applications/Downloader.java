package dev.convlens.bridge.applications;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;

/** Copies a URL's content into a file; an interface so tests can stand in for the network. */
@FunctionalInterface
interface Downloader {
  /** Writes the body of {@code from} to {@code to} (which exists and may be overwritten), or throws. */
  void download(URI from, Path to) throws IOException, InterruptedException;
}
