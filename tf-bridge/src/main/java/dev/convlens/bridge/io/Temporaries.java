package dev.convlens.bridge.io;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * The hidden siblings convlens writes through: {@code .<name>.convlens-tmp-<pid>-<hex>} while an
 * output is written, {@code .<name>.convlens-old-<pid>-<hex>} for the previous output during the
 * moment a folder is swapped. A process killed with -9 leaves them behind; the next write to the
 * same directory removes them, but only entries of exactly this pattern that were last modified
 * before the writing process started (so no live write of this process can be hit) and whose pid
 * is not a running process other than this one (so a live write of another process is not hit
 * either). A {@code convlens-old} folder is removed only when its target exists again: otherwise
 * it is the only copy of the previous output.
 */
final class Temporaries {
  private static final Logger LOG = LogManager.getLogger(Temporaries.class);
  static final String TMP = "convlens-tmp";
  static final String OLD = "convlens-old";
  private static final Pattern NAME = Pattern.compile("\\.(.+)\\.(" + TMP + "|" + OLD + ")-(\\d{1,19})-[0-9a-f]{1,16}");
  /** Names are kept short enough that the suffix never pushes a name past the usual 255-byte limit. */
  private static final int MAX_NAME = 100;

  private Temporaries() {}

  /** A fresh hidden sibling of {@code target} of kind {@link #TMP} or {@link #OLD}. */
  static Path sibling(Path target, String kind) {
    String name = target.getFileName().toString();
    if (name.length() > MAX_NAME) {
      name = name.substring(0, MAX_NAME);
    }
    return target.resolveSibling("." + name + "." + kind + "-" + ProcessHandle.current().pid() + "-"
        + Long.toHexString(ThreadLocalRandom.current().nextLong()));
  }

  /** Removes stale temporaries of our pattern from {@code dir}; best effort, never fails the write. */
  static void removeStale(Path dir) {
    Optional<Instant> start = ProcessHandle.current().info().startInstant();
    if (start.isEmpty()) {
      return; // without our start time nothing can be proven stale
    }
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir, ".*.convlens-*")) {
      for (Path p : entries) {
        if (isStale(p, start.get(), ProcessHandle.current().pid())) {
          LOG.info("removing {}, left by an interrupted convlens write", p);
          deleteTree(p);
        }
      }
    } catch (IOException | RuntimeException e) {
      LOG.debug("could not look for stale temporaries in {}: {}", dir, e.toString());
    }
  }

  /** Whether {@code p} is a temporary of ours left by a process that is gone. Package-private for tests. */
  static boolean isStale(Path p, Instant processStart, long ownPid) {
    Matcher m = NAME.matcher(p.getFileName().toString());
    if (!m.matches()) {
      return false;
    }
    long pid;
    try {
      pid = Long.parseLong(m.group(3));
    } catch (NumberFormatException e) {
      return false;
    }
    try {
      Instant modified = Files.getLastModifiedTime(p, LinkOption.NOFOLLOW_LINKS).toInstant();
      if (!modified.isBefore(processStart)) {
        return false;
      }
    } catch (IOException e) {
      return false;
    }
    if (pid != ownPid && ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
      return false;
    }
    if (m.group(2).equals(OLD)) {
      return Files.exists(p.resolveSibling(m.group(1)), LinkOption.NOFOLLOW_LINKS);
    }
    return true;
  }

  /** Deletes a file or a folder tree without following symbolic links; best effort. */
  static void deleteTree(Path p) {
    if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    try {
      Files.walkFileTree(p, new SimpleFileVisitor<>() {
        @Override
        public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
          quietlyDelete(file);
          return FileVisitResult.CONTINUE;
        }

        @Override
        public FileVisitResult visitFileFailed(Path file, IOException e) {
          return FileVisitResult.CONTINUE;
        }

        @Override
        public FileVisitResult postVisitDirectory(Path d, IOException e) {
          quietlyDelete(d);
          return FileVisitResult.CONTINUE;
        }
      });
    } catch (IOException e) {
      LOG.debug("could not remove {}: {}", p, e.toString());
    }
  }

  private static void quietlyDelete(Path p) {
    try {
      Files.deleteIfExists(p);
    } catch (IOException e) {
      LOG.debug("could not remove {}: {}", p, e.toString());
    }
  }
}
