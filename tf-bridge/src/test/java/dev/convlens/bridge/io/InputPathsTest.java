package dev.convlens.bridge.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InputPathsTest {
  @TempDir Path tmp;

  @Test
  void regularFilesAndAllowedDirectoriesPass() throws IOException {
    Path f = Files.writeString(tmp.resolve("a.txt"), "x");
    assertNull(InputPaths.problem(f, false));
    assertNull(InputPaths.problem(tmp, true));
    assertEquals("a directory, expected a file", InputPaths.problem(tmp, false));
    assertEquals("no such file or directory", InputPaths.problem(tmp.resolve("missing"), true));
  }

  @Test
  void linkLoopsAndDanglingLinksAreNamed() throws IOException {
    Path a = tmp.resolve("a");
    Path b = tmp.resolve("b");
    Files.createSymbolicLink(a, b);
    Files.createSymbolicLink(b, a);
    assertTrue(InputPaths.problem(a, true).startsWith("a symbolic link loop"), InputPaths.problem(a, true));
    Path dangling = Files.createSymbolicLink(tmp.resolve("d"), tmp.resolve("nowhere"));
    assertEquals("a symbolic link to a missing file", InputPaths.problem(dangling, true));
  }

  @Test
  void pipesAndDevicesAreRefusedWithoutOpeningThem() throws Exception {
    assertTrue(InputPaths.problem(Path.of("/dev/zero"), true).startsWith("not a regular file"));
    Path fifo = tmp.resolve("pipe");
    Process p = new ProcessBuilder("mkfifo", fifo.toString()).start();
    assumeTrue(p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0, "mkfifo is not available here");
    assertTrue(InputPaths.problem(fifo, true).startsWith("not a regular file"));
  }
}
