package dev.convlens.bridge.applications;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;

/** The read-only shared test data (system property {@code convlens.shared.data}); tests skip when it is absent. */
final class SharedData {
  private SharedData() {}

  static Path file(String relative) {
    String root = System.getProperty("convlens.shared.data");
    assumeTrue(root != null && !root.isBlank(),
        "shared test data not configured (system property convlens.shared.data); skipping");
    Path p = Path.of(root).resolve(relative);
    assumeTrue(Files.isRegularFile(p), "shared test data file " + p + " is absent; skipping");
    return p;
  }
}
