package dev.convlens.bridge.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * kill -9 in the middle of a write: the target keeps its earlier content, the hidden temporary is
 * left behind, and the next process writing to the same folder removes it. Two child JVMs, since a
 * process only removes temporaries last modified before it started.
 */
class KilledWriteTest {
  @TempDir Path tmp;
  /** The children's stderr, apart from {@link #tmp} whose listing is checked. */
  @TempDir Path logs;

  @Test
  void aKilledWriteLeavesTheTargetAndTheNextProcessCleansUp() throws Exception {
    Path target = Files.writeString(tmp.resolve("conv2d_8.npy"), "earlier");
    Process writer = child("slow", target);
    try {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (temporaries().isEmpty() || Files.size(tmp.resolve(temporaries().iterator().next())) < (1 << 20)) {
        assertTrue(writer.isAlive(), () -> "the writer died early: " + log("slow"));
        assertTrue(System.nanoTime() < deadline, "the writer wrote nothing");
        Thread.sleep(20);
      }
    } finally {
      writer.destroyForcibly().waitFor(); // SIGKILL: no finally block, no shutdown hook runs
    }
    Set<String> left = temporaries();
    assertEquals(1, left.size(), "the killed write left its temporary: " + left);
    assertTrue(left.iterator().next().matches("\\.conv2d_8\\.npy\\.convlens-tmp-" + writer.pid() + "-[0-9a-f]+"), left.toString());
    assertEquals("earlier", Files.readString(target));

    Thread.sleep(1100); // a process's start time is known to about a second
    Process next = child("once", tmp.resolve("other.npy"));
    assertTrue(next.waitFor(60, TimeUnit.SECONDS), "the second writer hangs");
    assertEquals(0, next.exitValue(), () -> log("once"));
    assertEquals(Set.of(), temporaries(), "the next write to the folder removed it");
    assertEquals(Set.of("conv2d_8.npy", "other.npy"), list());
  }

  private Set<String> temporaries() throws IOException {
    return list().stream().filter(n -> n.startsWith(".")).collect(Collectors.toCollection(TreeSet::new));
  }

  private Set<String> list() throws IOException {
    try (Stream<Path> s = Files.list(tmp)) {
      return s.map(p -> p.getFileName().toString()).collect(Collectors.toCollection(TreeSet::new));
    }
  }

  private String log(String mode) {
    try {
      return Files.readString(logs.resolve(mode + ".log"));
    } catch (IOException e) {
      return e.toString();
    }
  }

  private Process child(String mode, Path target) throws IOException {
    String java = ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    return new ProcessBuilder(List.of(java, "-Xmx64m", "-cp", System.getProperty("java.class.path"),
        Writer.class.getName(), mode, target.toString())).redirectOutput(ProcessBuilder.Redirect.DISCARD)
        .redirectError(logs.resolve(mode + ".log").toFile()).start();
  }

  /** The child: "slow" writes 64 KB blocks into the target's temporary until it is killed; "once" writes a file. */
  static final class Writer {
    public static void main(String[] args) throws Exception {
      Path target = Path.of(args[1]);
      if (args[0].equals("once")) {
        AtomicFiles.write(target, t -> Files.writeString(t, "written"));
        return;
      }
      AtomicFiles.write(target, t -> {
        try (OutputStream out = Files.newOutputStream(t)) {
          byte[] block = new byte[64 << 10];
          for (int i = 0; i < 10_000; i++) {
            out.write(block);
            out.flush();
            try {
              Thread.sleep(5);
            } catch (InterruptedException e) {
              throw new IOException(e);
            }
          }
        }
      });
    }
  }
}
