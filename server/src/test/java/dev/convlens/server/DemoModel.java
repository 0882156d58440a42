package dev.convlens.server;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;

/** The project's demo model, {@code saved_models/shapes} at the repository root (the tests run in {@code server/}). */
final class DemoModel {
  static final Path PATH = Path.of("..", "saved_models", "shapes").toAbsolutePath().normalize();

  private DemoModel() {}

  static Path path() {
    assertTrue(Files.isDirectory(PATH), PATH + " is missing: the demo model is part of the repository");
    return PATH;
  }
}
