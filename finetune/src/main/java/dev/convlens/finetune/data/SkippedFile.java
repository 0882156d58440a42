package dev.convlens.finetune.data;

import java.nio.file.Path;

/** A file in a dataset folder that is not used, and why (not an image, or unreadable). */
public record SkippedFile(Path file, String reason) {
  @Override
  public String toString() {
    return file + ": " + reason;
  }
}
