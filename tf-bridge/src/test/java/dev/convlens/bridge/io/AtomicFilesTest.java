package dev.convlens.bridge.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convlens.bridge.ConvlensException;
import dev.convlens.bridge.io.OutputWriteException.Reason;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.imageio.IIOException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * AtomicFiles without a real full disk: failures are injected by the content writer (the
 * mount-based tests meet real ones), stale temporaries are made by hand with an old mtime.
 */
class AtomicFilesTest {
  private static final long PID = ProcessHandle.current().pid();
  private static final FolderOptions EARLIER = FolderOptions.defaults().withMarker("done.json");

  @TempDir Path tmp;

  @Test
  void temporariesAreNamedSoAUserRecognisesThem() throws IOException {
    AtomicReference<Path> seen = new AtomicReference<>();
    AtomicFiles.write(tmp.resolve("conv2d_8.npy"), t -> {
      seen.set(t);
      Files.writeString(t, "x");
    });
    String name = seen.get().getFileName().toString();
    assertTrue(name.matches("\\.conv2d_8\\.npy\\.convlens-tmp-" + PID + "-[0-9a-f]+"), name);
    assertEquals(tmp, seen.get().getParent(), "beside the target, so the move is a rename");
    assertEquals(Set.of("conv2d_8.npy"), list(tmp));

    AtomicFiles.writeFolder(tmp.resolve("grids"), FolderOptions.defaults(), d -> {
      seen.set(d);
      Files.writeString(d.resolve("a.png"), "x");
    });
    assertTrue(seen.get().getFileName().toString().matches("\\.grids\\.convlens-tmp-" + PID + "-[0-9a-f]+"));
    assertEquals(Set.of("conv2d_8.npy", "grids"), list(tmp));
  }

  /** The system's words may be anywhere in the chain: ImageIO, jhdf and TensorFlow wrap them. */
  @Test
  void aFullDiskIsNamedInOneLineWhereverTheCauseSits() throws IOException {
    Path target = Files.writeString(tmp.resolve("model.h5"), "the previous model");
    List<Exception> failures = List.of(
        new IOException("No space left on device"),
        new IIOException("I/O error writing PNG file!", new IOException("No space left on device")),
        new UncheckedIOException(new FileSystemException("/x/.model.h5.convlens-tmp-1-2", null, "No space left on device")),
        suppressed(new IOException("Stream closed"), new IOException("No space left on device")),
        new IllegalStateException("/x/variables/variables.data-00000-of-00001.tempstate123; No space left on device\n"
            + "\t [[{{node save/SaveV2}}]]\nHint: If you want to see a list of allocated tensors when OOM happens, ..."));
    for (Exception injected : failures) {
      OutputWriteException e = assertThrows(OutputWriteException.class, () -> AtomicFiles.write(target, t -> {
        Files.writeString(t, "half");
        throwIt(injected);
      }), injected.toString());
      assertEquals(Reason.DISK_FULL, e.reason());
      assertEquals("cannot write " + target + ": the disk is full (no space left on device)", e.getMessage());
      assertEquals(target, e.target());
      assertSame(injected, e.getCause());
    }
    assertEquals("the previous model", Files.readString(target), "a failed write never replaces the file");
    assertEquals(Set.of("model.h5"), list(tmp), "no temporary left");
  }

  @Test
  void readOnlyPermissionAndQuotaAreNamed() {
    Path target = tmp.resolve("out.json");
    OutputWriteException ro = assertThrows(OutputWriteException.class, () -> AtomicFiles.write(target,
        t -> throwIt(new FileSystemException(t.toString(), null, "Read-only file system"))));
    assertEquals(Reason.READ_ONLY, ro.reason());
    assertEquals("cannot write " + target + ": the file system is read-only", ro.getMessage());
    OutputWriteException denied = assertThrows(OutputWriteException.class, () -> AtomicFiles.write(target,
        t -> throwIt(new AccessDeniedException(t.toString()))));
    assertEquals(Reason.PERMISSION_DENIED, denied.reason());
    assertEquals("cannot write " + target + ": permission denied", denied.getMessage());
    OutputWriteException quota = assertThrows(OutputWriteException.class, () -> AtomicFiles.write(target,
        t -> throwIt(new IOException("Disk quota exceeded"))));
    assertEquals(Reason.DISK_FULL, quota.reason());
    assertTrue(quota.getMessage().endsWith(": the disk quota is exceeded"), quota.getMessage());
  }

  /** write() keeps its contract for other errors: the caller adds what it was writing. */
  @Test
  void otherErrorsPassThroughWriteAndAreOneLineInFolders() throws IOException {
    IOException other = new IOException("Input/output error");
    assertSame(other, assertThrows(IOException.class, () -> AtomicFiles.write(tmp.resolve("a"), t -> throwIt(other))));
    ConvlensException md5 = new ConvlensException("MD5 mismatch");
    assertSame(md5, assertThrows(ConvlensException.class, () -> AtomicFiles.write(tmp.resolve("a"), t -> throwIt(md5))));

    Path folder = tmp.resolve("out");
    OutputWriteException e = assertThrows(OutputWriteException.class, () -> AtomicFiles.writeFolder(folder,
        FolderOptions.defaults(), d -> throwIt(new IOException("Input/output error\nsecond line"))));
    assertEquals(Reason.IO_ERROR, e.reason());
    assertEquals("cannot write " + folder + ": Input/output error", e.getMessage());
    assertSame(md5, assertThrows(ConvlensException.class,
        () -> AtomicFiles.writeFolder(folder, FolderOptions.defaults(), d -> throwIt(md5))));
    assertEquals(Set.of(), list(tmp), "nothing left beside the target");
  }

  /** A file inside the folder failing on a full disk is reported for the folder the caller asked for. */
  @Test
  void aFullDiskInsideAFolderNamesTheFolder() throws IOException {
    Path folder = tmp.resolve("acts");
    OutputWriteException e = assertThrows(OutputWriteException.class, () -> AtomicFiles.writeFolder(folder,
        FolderOptions.defaults(), d -> {
          Files.writeString(d.resolve("conv1.png"), "ok");
          AtomicFiles.write(d.resolve("conv2.png"), t -> throwIt(new IIOException("I/O error writing PNG file!",
              new IOException("No space left on device"))));
        }));
    assertEquals(Reason.DISK_FULL, e.reason());
    assertEquals("cannot write " + folder + ": the disk is full (no space left on device)", e.getMessage());
    assertEquals(Set.of(), list(tmp), "no partial folder, no temporary");
  }

  @Test
  void aFolderIsReplacedOnlyWhenItIsAnEarlierOutputAndOverwriteIsSet() throws IOException {
    Path out = tmp.resolve("out");
    AtomicFiles.writeFolder(out, EARLIER, d -> write(d, "done.json", "run 1"));
    OutputWriteException refused = assertThrows(OutputWriteException.class,
        () -> AtomicFiles.writeFolder(out, EARLIER, d -> write(d, "done.json", "run 2")));
    assertEquals(Reason.EXISTS, refused.reason());
    assertTrue(refused.getMessage().contains("earlier output (done.json)"), refused.getMessage());
    assertThrows(OutputWriteException.class, () -> AtomicFiles.requireReplaceable(out, EARLIER));
    assertTrue(AtomicFiles.isEarlierOutput(out, EARLIER));
    assertEquals("run 1", Files.readString(out.resolve("done.json")));

    Files.writeString(out.resolve("stale.png"), "from run 1");
    AtomicFiles.requireReplaceable(out, EARLIER.withOverwrite(true));
    AtomicFiles.writeFolder(out, EARLIER.withOverwrite(true), d -> write(d, "done.json", "run 2"));
    assertEquals(Set.of("done.json"), list(out), "replaced as a whole: nothing of run 1 left");
    assertEquals("run 2", Files.readString(out.resolve("done.json")));
    assertEquals(Set.of("out"), list(tmp), "the earlier folder is gone, no temporary left");
  }

  @Test
  void foreignFoldersAndFilesAreNeverReplaced() throws IOException {
    Path home = Files.createDirectories(tmp.resolve("home"));
    Files.writeString(home.resolve("thesis.tex"), "precious");
    FolderOptions overwrite = EARLIER.withOverwrite(true);
    OutputWriteException e = assertThrows(OutputWriteException.class,
        () -> AtomicFiles.writeFolder(home, overwrite, d -> write(d, "done.json", "x")));
    assertEquals(Reason.EXISTS, e.reason());
    assertTrue(e.getMessage().contains("not an earlier output (it has no done.json)"), e.getMessage());
    Path file = Files.writeString(tmp.resolve("file"), "a file");
    assertThrows(OutputWriteException.class, () -> AtomicFiles.writeFolder(file, overwrite, d -> write(d, "done.json", "x")));
    assertEquals("precious", Files.readString(home.resolve("thesis.tex")));
    assertEquals("a file", Files.readString(file));
    assertEquals(Set.of("home", "file"), list(tmp));

    assertEquals(Reason.EXISTS, assertThrows(OutputWriteException.class,
        () -> AtomicFiles.writeFolder(Path.of("/"), overwrite, d -> write(d, "done.json", "x"))).reason());
    assertThrows(OutputWriteException.class, () -> AtomicFiles.write(Path.of("/"), t -> Files.writeString(t, "x")));

    Path empty = Files.createDirectories(tmp.resolve("empty"));
    AtomicFiles.writeFolder(empty, FolderOptions.defaults(), d -> write(d, "a.txt", "x"));
    assertEquals(Set.of("a.txt"), list(empty), "an empty folder is filled");
  }

  @Test
  void aFailedWriteLeavesTheEarlierFolderAsItWas() throws IOException {
    Path out = tmp.resolve("out");
    AtomicFiles.writeFolder(out, EARLIER, d -> write(d, "done.json", "run 1"));
    assertThrows(OutputWriteException.class, () -> AtomicFiles.writeFolder(out, EARLIER.withOverwrite(true), d -> {
      write(d, "model.h5", "new");
      throw new IOException("No space left on device");
    }));
    assertEquals(Set.of("done.json"), list(out));
    assertEquals(Set.of("out"), list(tmp));
  }

  /** A symbolic link at --out: the folder it points to is replaced, the link stays. */
  @Test
  void aLinkedFolderIsReplacedThroughTheLink() throws IOException {
    Path real = tmp.resolve("real");
    AtomicFiles.writeFolder(real, EARLIER, d -> write(d, "done.json", "run 1"));
    Path link = Files.createSymbolicLink(tmp.resolve("link"), real);
    AtomicFiles.writeFolder(link, EARLIER.withOverwrite(true), d -> write(d, "done.json", "run 2"));
    assertTrue(Files.isSymbolicLink(link));
    assertEquals("run 2", Files.readString(real.resolve("done.json")));
  }

  /** What a process killed with -9 left (an old mtime) goes; anything else stays. */
  @Test
  void staleTemporariesOfOurPatternAreRemovedOnTheNextWrite() throws IOException {
    FileTime hourAgo = FileTime.from(Instant.now().minus(1, ChronoUnit.HOURS));
    long deadPid = deadPid();
    Path ownPidEarlierRun = old(Files.writeString(tmp.resolve(".conv2d_8.npy.convlens-tmp-" + PID + "-3fa2"), "x"), hourAgo);
    Path deadDir = Files.createDirectories(tmp.resolve(".x.convlens-tmp-" + deadPid + "-9c0ffee"));
    Files.writeString(deadDir.resolve("saved_model.pb"), "x");
    Files.createDirectories(deadDir.resolve("variables"));
    old(deadDir, hourAgo);
    // a link of our pattern is removed as a link: what it points to is not touched
    Path precious = Files.createDirectories(tmp.resolve("precious"));
    Files.writeString(precious.resolve("keep.txt"), "keep");
    Path link = Files.createSymbolicLink(tmp.resolve(".y.convlens-tmp-" + deadPid + "-1"), precious);
    Files.setAttribute(link, "lastModifiedTime", hourAgo, java.nio.file.LinkOption.NOFOLLOW_LINKS);

    Set<Path> kept = Set.of(
        old(Files.writeString(tmp.resolve(".conv2d_8.npy.3f9a.tmp"), "foreign (the old naming)"), hourAgo),
        old(Files.writeString(tmp.resolve(".bashrc"), "foreign"), hourAgo),
        old(Files.writeString(tmp.resolve("x.convlens-tmp-" + deadPid + "-1"), "not hidden: not ours"), hourAgo),
        old(Files.writeString(tmp.resolve(".x.convlens-tmp-" + deadPid + "-xyz"), "not our pattern"), hourAgo),
        Files.writeString(tmp.resolve(".fresh.convlens-tmp-" + deadPid + "-1"), "modified after we started"));

    AtomicFiles.write(tmp.resolve("next.txt"), t -> Files.writeString(t, "x"));

    assertFalse(Files.exists(ownPidEarlierRun), "an earlier process with our pid (pid reuse)");
    assertFalse(Files.exists(deadDir), "a dead process's folder");
    assertFalse(Files.exists(link, java.nio.file.LinkOption.NOFOLLOW_LINKS));
    assertEquals("keep", Files.readString(precious.resolve("keep.txt")));
    for (Path p : kept) {
      assertTrue(Files.exists(p), p + " must stay");
    }
  }

  @Test
  void aLiveProcessAndTheOnlyCopyOfAnEarlierOutputAreLeftAlone() throws Exception {
    FileTime hourAgo = FileTime.from(Instant.now().minus(1, ChronoUnit.HOURS));
    Process live = new ProcessBuilder("sleep", "30").start();
    try {
      Path liveTmp = old(Files.writeString(tmp.resolve(".big.h5.convlens-tmp-" + live.pid() + "-1"), "being written"),
          hourAgo);
      // killed between moving the earlier output aside and moving the new one in: "out" is missing
      Path onlyCopy = old(Files.createDirectories(tmp.resolve(".out.convlens-old-" + deadPid() + "-1")), hourAgo);
      Path replaced = old(Files.createDirectories(tmp.resolve(".done.convlens-old-" + deadPid() + "-2")), hourAgo);
      Files.createDirectories(tmp.resolve("done"));

      AtomicFiles.writeFolder(tmp.resolve("next"), FolderOptions.defaults(), d -> write(d, "a", "x"));

      assertTrue(Files.exists(liveTmp), "another live process may still be writing it");
      assertTrue(Files.exists(onlyCopy), "the only copy of 'out'");
      assertFalse(Files.exists(replaced), "'done' exists again: its old copy is stale");
    } finally {
      live.destroyForcibly().waitFor();
    }
  }

  @Test
  void isStaleNeedsAnEntryOlderThanTheProcess() throws IOException {
    Path p = Files.writeString(tmp.resolve(".a.convlens-tmp-" + PID + "-1"), "x");
    assertFalse(Temporaries.isStale(p, Instant.now().minus(1, ChronoUnit.HOURS), PID));
    assertTrue(Temporaries.isStale(p, Instant.now().plus(1, ChronoUnit.HOURS), PID));
  }

  // ---- helpers ----

  private static long deadPid() throws IOException {
    try {
      Process p = new ProcessBuilder("true").start();
      p.waitFor();
      return p.pid();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException(e);
    }
  }

  private static Path old(Path p, FileTime t) throws IOException {
    Files.setLastModifiedTime(p, t);
    return p;
  }

  private static void write(Path dir, String name, String text) throws IOException {
    Files.writeString(dir.resolve(name), text);
  }

  private static <T extends Throwable> T suppressed(T primary, Throwable other) {
    primary.addSuppressed(other);
    return primary;
  }

  private static void throwIt(Exception e) throws IOException {
    if (e instanceof IOException io) {
      throw io;
    }
    throw (RuntimeException) e;
  }

  private static Set<String> list(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).collect(Collectors.toCollection(TreeSet::new));
    }
  }
}
