package dev.convlens.bridge.io;

import dev.convlens.bridge.ConvlensException;
import java.nio.file.Path;
import org.jspecify.annotations.Nullable;

/**
 * An output (file or folder) that could not be written, with the cause named in one line: the disk
 * is full, the file system is read-only, permission is denied, the target already holds another
 * output, or another I/O error. The target is the path the caller asked for, not a temporary one.
 */
public class OutputWriteException extends ConvlensException {
  /** Why the write failed, for callers that react differently (e.g. a command suggesting --overwrite). */
  public enum Reason {
    /** No space left on the device, or the disk quota is exceeded. */
    DISK_FULL,
    /** The file system is mounted read-only. */
    READ_ONLY,
    /** The process may not write there. */
    PERMISSION_DENIED,
    /** The target exists and may not be replaced (another run's output, or something that is not an output). */
    EXISTS,
    /** Any other I/O failure; the message carries the system's own words. */
    IO_ERROR
  }

  private final Path target;
  private final Reason reason;

  public OutputWriteException(Path target, Reason reason, String message, @Nullable Throwable cause) {
    super(message, cause);
    this.target = target;
    this.reason = reason;
  }

  /** The file or folder being written. */
  public Path target() {
    return target;
  }

  public Reason reason() {
    return reason;
  }
}
