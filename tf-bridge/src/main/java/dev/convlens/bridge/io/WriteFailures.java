package dev.convlens.bridge.io;

import dev.convlens.bridge.io.OutputWriteException.Reason;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.util.ArrayDeque;
import java.util.Collections;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Recognises why a write failed from an exception chain. The cause is usually buried: ImageIO
 * reports "I/O error writing PNG file!" around the system's "No space left on device", jhdf and
 * TensorFlow put the errno text inside longer messages, and a failing close is a suppressed
 * exception. So every cause and suppressed exception is searched for the operating system's words.
 */
final class WriteFailures {
  private WriteFailures() {}

  /** The recognised reason, or empty when the chain names none of them. */
  static Optional<Reason> classify(Throwable e) {
    Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
    Deque<Throwable> todo = new ArrayDeque<>();
    todo.add(e);
    Reason found = null;
    while (!todo.isEmpty()) {
      Throwable t = todo.poll();
      if (!seen.add(t)) {
        continue;
      }
      Reason r = reasonOf(t);
      // a full disk explains the rest (a read-only or permission error is never a follow-up of it)
      if (r == Reason.DISK_FULL) {
        return Optional.of(r);
      }
      if (found == null) {
        found = r;
      }
      if (t.getCause() != null) {
        todo.add(t.getCause());
      }
      Collections.addAll(todo, t.getSuppressed());
    }
    return Optional.ofNullable(found);
  }

  private static @Nullable Reason reasonOf(Throwable t) {
    String text = (t.getMessage() == null ? "" : t.getMessage())
        + (t instanceof FileSystemException f && f.getReason() != null ? " " + f.getReason() : "");
    String s = text.toLowerCase(Locale.ROOT);
    if (s.contains("no space left on device") || s.contains("disk quota exceeded") || s.contains("not enough space on the disk")) {
      return Reason.DISK_FULL;
    }
    if (s.contains("read-only file system")) {
      return Reason.READ_ONLY;
    }
    if (t instanceof AccessDeniedException || s.contains("permission denied") || s.contains("access is denied")) {
      return Reason.PERMISSION_DENIED;
    }
    return null;
  }

  private static boolean mentions(Throwable e, String word) {
    Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
    for (Throwable t = e; t != null && seen.add(t); t = t.getCause()) {
      if (t.getMessage() != null && t.getMessage().toLowerCase(Locale.ROOT).contains(word)) {
        return true;
      }
    }
    return false;
  }

  /** The cause in the words of one line: the message's first line, without TensorFlow's hints below it. */
  static String oneLine(Throwable e) {
    String m = e.getMessage();
    if (m == null || m.isBlank()) {
      return e.getClass().getSimpleName();
    }
    String first = m.strip().lines().findFirst().orElse("").strip();
    return first.length() > 300 ? first.substring(0, 300) + "..." : first;
  }

  /** The exception for a failed write of {@code target}, its cause named in one line. */
  static OutputWriteException describe(java.nio.file.Path target, Throwable e) {
    Optional<Reason> r = classify(e);
    if (r.isEmpty()) {
      return new OutputWriteException(target, Reason.IO_ERROR, "cannot write " + target + ": " + oneLine(e), e);
    }
    String why = switch (r.get()) {
      case DISK_FULL -> mentions(e, "quota") ? "the disk quota is exceeded" : "the disk is full (no space left on device)";
      case READ_ONLY -> "the file system is read-only";
      case PERMISSION_DENIED -> "permission denied";
      default -> oneLine(e);
    };
    return new OutputWriteException(target, r.get(), "cannot write " + target + ": " + why, e);
  }
}
