package dev.convlens.bridge.io;

import org.jspecify.annotations.Nullable;

/**
 * What {@link AtomicFiles#writeFolder} may replace. A missing target or an empty folder is always
 * written. A non-empty folder is replaced only when it holds {@code marker} (a relative path that
 * marks an earlier output of the same kind, e.g. {@code convlens-finetune.json}) and {@code
 * overwrite} is set; anything else is refused, so a mistyped path never deletes a user's folder.
 *
 * @param marker the file that identifies an earlier output of the same kind, or null for none
 * @param overwrite whether an earlier output (a folder holding the marker) is replaced
 */
public record FolderOptions(@Nullable String marker, boolean overwrite) {
  /** No marker, no overwrite: only a missing target or an empty folder is written. */
  public static FolderOptions defaults() {
    return new FolderOptions(null, false);
  }

  public FolderOptions withMarker(@Nullable String marker) {
    return new FolderOptions(marker, overwrite);
  }

  public FolderOptions withOverwrite(boolean overwrite) {
    return new FolderOptions(marker, overwrite);
  }
}
