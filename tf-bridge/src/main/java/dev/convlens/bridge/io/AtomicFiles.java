package dev.convlens.bridge.io;

import dev.convlens.bridge.ConvlensException;
import dev.convlens.bridge.io.OutputWriteException.Reason;
import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;

/**
 * Writes files and whole folders so that readers see either the old content or the new, never half
 * of it, even when the process is killed: the content goes to a hidden sibling (same directory, so
 * the final move is a rename) named {@code .<name>.convlens-tmp-<pid>-<hex>}, which is then moved
 * over the target. Temporaries that a killed process left behind are removed on the next write to
 * the same directory (see {@link Temporaries}: only our pattern, only from processes that are gone).
 *
 * <p>A full disk, a read-only file system and a denied permission are reported as {@link
 * OutputWriteException} with that cause named in one line, wherever in the exception chain the
 * system's words were. Unlike {@code Files.createTempFile}, files get the ordinary permissions of a
 * new file (umask), not 0600.
 */
public final class AtomicFiles {
  /** Fills the temporary file. */
  @FunctionalInterface
  public interface Content {
    void writeTo(Path temporary) throws IOException;
  }

  /** Fills the temporary folder (it exists and is empty when called). */
  @FunctionalInterface
  public interface FolderContent {
    void writeTo(Path folder) throws IOException;
  }

  private AtomicFiles() {}

  /**
   * Writes one file through a temporary sibling. A full disk, a read-only file system or a denied
   * permission raises {@link OutputWriteException}; other I/O errors are passed on as they are, for
   * the caller to add what it was writing.
   */
  public static void write(Path target, Content content) throws IOException {
    Path file = target.toAbsolutePath();
    Path dir = file.getParent();
    if (dir == null) {
      throw exists(file, "cannot write " + file + ": it is the root folder");
    }
    Path tmp = null;
    try {
      Files.createDirectories(dir);
      Temporaries.removeStale(dir);
      tmp = Temporaries.sibling(file, Temporaries.TMP);
      Files.createFile(tmp);
      content.writeTo(tmp);
      try {
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
      }
    } catch (IOException e) {
      Optional<OutputWriteException> w = recognised(file, e);
      if (w.isPresent()) {
        throw w.get();
      }
      throw e;
    } catch (RuntimeException e) {
      if (e instanceof OutputWriteException) {
        throw e;
      }
      throw recognised(file, e).<RuntimeException>map(w -> w).orElse(e);
    } finally {
      if (tmp != null) {
        Temporaries.deleteTree(tmp);
      }
    }
  }

  /**
   * Writes a whole folder at once: {@code content} fills a hidden sibling folder, which is then
   * renamed to {@code target}, so a reader (or a run killed at any moment) sees the previous folder
   * or the complete new one, never a mix. A previous folder is replaced only as {@code options}
   * allow (checked before anything is written, and again before the move); it is moved aside,
   * the new folder moved in, then the old one deleted.
   *
   * @throws OutputWriteException if the target may not be replaced or the folder cannot be written
   *     (full disk, read-only, permission, other I/O errors); a {@link ConvlensException} from
   *     {@code content} is passed on. Either way nothing is left beside the target.
   */
  public static void writeFolder(Path target, FolderOptions options, FolderContent content) {
    Path folder = resolve(target);
    Path parent = folder.getParent();
    if (parent == null) {
      throw exists(folder, "cannot write " + folder + ": it is the root folder");
    }
    try {
      Files.createDirectories(parent);
    } catch (IOException e) {
      throw failure(folder, e);
    }
    Temporaries.removeStale(parent);
    check(folder, options);
    Path tmp = Temporaries.sibling(folder, Temporaries.TMP);
    try {
      Files.createDirectory(tmp);
      content.writeTo(tmp);
      publish(tmp, folder, options);
    } catch (IOException | RuntimeException e) {
      Temporaries.deleteTree(tmp);
      throw folderFailure(folder, e);
    }
  }

  /**
   * Fails as {@link #writeFolder} would if {@code target} may not be replaced: for a check before a
   * long computation whose result goes there.
   *
   * @throws OutputWriteException with reason {@link Reason#EXISTS}
   */
  public static void requireReplaceable(Path target, FolderOptions options) {
    check(resolve(target), options);
  }

  /** Whether {@code target} is a folder holding {@code options.marker()}: an earlier output of that kind. */
  public static boolean isEarlierOutput(Path target, FolderOptions options) {
    Path folder = resolve(target);
    return options.marker() != null && Files.isDirectory(folder) && Files.exists(folder.resolve(options.marker()));
  }

  /**
   * The exception for a failed write of {@code target}: the cause (full disk, read-only file
   * system, permission, or the first line of the error) in one line naming the target.
   */
  public static OutputWriteException failure(Path target, Throwable e) {
    return WriteFailures.describe(target, e);
  }

  private static Optional<OutputWriteException> recognised(Path target, Throwable e) {
    return WriteFailures.classify(e).map(r -> WriteFailures.describe(target, e));
  }

  /** What escapes writeFolder: the folder's own words for recognised causes, content errors as they are. */
  private static RuntimeException folderFailure(Path folder, Throwable e) {
    if (e instanceof OutputWriteException w && w.reason() == Reason.EXISTS) {
      return w;
    }
    if (WriteFailures.classify(e).isPresent()) {
      return WriteFailures.describe(folder, e); // named by the folder asked for, not a file inside the temporary
    }
    if (e instanceof RuntimeException r) {
      return r; // ConvlensException from the content, or a bug: not an output failure
    }
    return WriteFailures.describe(folder, e);
  }

  /** Absolute and normalized; a symbolic link at the target is followed, so the folder it points to is replaced, not the link. */
  private static Path resolve(Path target) {
    Path p = target.toAbsolutePath().normalize();
    if (Files.isSymbolicLink(p)) {
      try {
        return p.toRealPath();
      } catch (IOException e) {
        return p; // a dangling link: check() refuses it as "not a folder"
      }
    }
    return p;
  }

  private static void check(Path folder, FolderOptions options) {
    if (!Files.exists(folder, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    if (!Files.isDirectory(folder, LinkOption.NOFOLLOW_LINKS)) {
      throw exists(folder, folder + " exists and is not a folder: refusing to replace it");
    }
    if (isEmpty(folder)) {
      return;
    }
    String marker = options.marker();
    if (marker != null && Files.exists(folder.resolve(marker))) {
      if (options.overwrite()) {
        return;
      }
      throw exists(folder, folder + " already holds an earlier output (" + marker + "): it is replaced only when"
          + " overwriting is asked for");
    }
    throw exists(folder, folder + " exists, is not empty and is not an earlier output"
        + (marker != null ? " (it has no " + marker + ")" : "") + ": refusing to replace it");
  }

  private static OutputWriteException exists(Path folder, String message) {
    return new OutputWriteException(folder, Reason.EXISTS, message, null);
  }

  private static boolean isEmpty(Path dir) {
    try (DirectoryStream<Path> s = Files.newDirectoryStream(dir)) {
      return !s.iterator().hasNext();
    } catch (IOException e) {
      return false;
    }
  }

  /** Renames {@code tmp} to {@code folder}; an earlier folder there is moved aside first and deleted after. */
  private static void publish(Path tmp, Path folder, FolderOptions options) throws IOException {
    if (Files.exists(folder, LinkOption.NOFOLLOW_LINKS)) {
      check(folder, options); // it may have appeared or changed while we wrote
      if (isEmpty(folder)) {
        try {
          Files.move(tmp, folder, StandardCopyOption.ATOMIC_MOVE); // rename(2) replaces an empty folder in one step
          return;
        } catch (IOException e) {
          Files.delete(folder); // where the platform's rename does not
        }
      } else {
        Path old = Temporaries.sibling(folder, Temporaries.OLD);
        Files.move(folder, old, StandardCopyOption.ATOMIC_MOVE);
        try {
          Files.move(tmp, folder, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
          Files.move(old, folder, StandardCopyOption.ATOMIC_MOVE);
          throw e;
        }
        Temporaries.deleteTree(old);
        return;
      }
    }
    Files.move(tmp, folder, StandardCopyOption.ATOMIC_MOVE);
  }
}
