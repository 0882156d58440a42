package dev.convlens.bridge.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.convlens.bridge.FloatTensor;
import dev.convlens.bridge.fixtures.TmpfsMount;
import dev.convlens.bridge.io.OutputWriteException.Reason;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A real full disk and a real read-only file system (small tmpfs mounts; skipped where mounting is not allowed). */
class OutputFaultsOnMountsTest {
  @TempDir Path tmp;

  @Test
  void aFileOnAFullDiskFailsInOneLineAndLeavesTheEarlierFile() throws IOException {
    try (TmpfsMount disk = TmpfsMount.writable(tmp.resolve("disk"), false)) {
      Path target = Files.writeString(disk.dir().resolve("conv2d_8.npy"), "earlier");
      disk.fill();
      OutputWriteException e = assertThrows(OutputWriteException.class, () -> AtomicFiles.write(target, t -> {
        try (OutputStream out = Files.newOutputStream(t)) {
          out.write(new byte[2 << 20]);
        }
      }));
      assertEquals(Reason.DISK_FULL, e.reason());
      assertEquals("cannot write " + target + ": the disk is full (no space left on device)", e.getMessage());
      assertEquals("earlier", Files.readString(target));
      assertEquals(List.of("conv2d_8.npy"), disk.leftovers(), "no temporary left");

      OutputWriteException npy = assertThrows(OutputWriteException.class,
          () -> Npy.write(target, new FloatTensor(new long[] {512, 512}, new float[512 * 512])));
      assertEquals(Reason.DISK_FULL, npy.reason());
      assertEquals(List.of("conv2d_8.npy"), disk.leftovers());
    }
  }

  @Test
  void aFolderOnAFullDiskFailsInOneLineAndLeavesNothing() throws IOException {
    try (TmpfsMount disk = TmpfsMount.writable(tmp.resolve("disk"), true)) {
      Path out = disk.dir().resolve("acts");
      OutputWriteException e = assertThrows(OutputWriteException.class, () -> AtomicFiles.writeFolder(out,
          FolderOptions.defaults(), d -> Files.write(d.resolve("block1_conv1.png"), new byte[64 << 10])));
      assertEquals(Reason.DISK_FULL, e.reason());
      assertEquals("cannot write " + out + ": the disk is full (no space left on device)", e.getMessage());
      assertEquals(List.of(), disk.leftovers(), "no partial folder, no temporary");
    }
  }

  @Test
  void aReadOnlyFileSystemIsNamed() throws IOException {
    try (TmpfsMount ro = TmpfsMount.readOnly(tmp.resolve("ro"))) {
      Path file = ro.dir().resolve("model.h5");
      OutputWriteException e = assertThrows(OutputWriteException.class,
          () -> AtomicFiles.write(file, t -> Files.writeString(t, "x")));
      assertEquals(Reason.READ_ONLY, e.reason());
      assertEquals("cannot write " + file + ": the file system is read-only", e.getMessage());
      Path folder = ro.dir().resolve("out");
      OutputWriteException f = assertThrows(OutputWriteException.class,
          () -> AtomicFiles.writeFolder(folder, FolderOptions.defaults(), d -> Files.writeString(d.resolve("a"), "x")));
      assertEquals("cannot write " + folder + ": the file system is read-only", f.getMessage());
      OutputWriteException sub = assertThrows(OutputWriteException.class,
          () -> AtomicFiles.write(ro.dir().resolve("new/sub/x.npy"), t -> Files.writeString(t, "x")));
      assertEquals(Reason.READ_ONLY, sub.reason(), "creating the missing folders fails first");
      assertEquals("precious", Files.readString(ro.dir().resolve("keep.txt")));
    }
  }
}
