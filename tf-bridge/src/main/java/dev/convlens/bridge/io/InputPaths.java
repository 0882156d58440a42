package dev.convlens.bridge.io;

import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import org.jspecify.annotations.Nullable;

/**
 * Which paths the library agrees to read: regular files, and directories where a format is one.
 * Anything else (a named pipe, a device such as {@code /dev/zero}, a socket) could block a reader
 * forever or never end, so it is refused before it is opened.
 */
public final class InputPaths {
  private InputPaths() {}

  /**
   * Why {@code path} cannot be read as an input, or null when it is a regular file (or, when
   * {@code directoryAllowed}, a directory). Symbolic links are followed; a link loop is named as one.
   */
  public static @Nullable String problem(Path path, boolean directoryAllowed) {
    if (path == null) {
      return "no path given";
    }
    BasicFileAttributes a;
    try {
      a = Files.readAttributes(path, BasicFileAttributes.class);
    } catch (NoSuchFileException e) {
      return Files.isSymbolicLink(path) ? "a symbolic link to a missing file" : "no such file or directory";
    } catch (FileSystemException e) {
      String reason = String.valueOf(e.getReason());
      return reason.contains("symbolic links") ? "a symbolic link loop (" + reason + ")" : "cannot read: " + reason;
    } catch (IOException | SecurityException e) {
      return "cannot read: " + e.getMessage();
    }
    if (a.isRegularFile()) {
      return null;
    }
    if (a.isDirectory()) {
      return directoryAllowed ? null : "a directory, expected a file";
    }
    return "not a regular file (a named pipe, device or socket), which could block or never end";
  }
}
