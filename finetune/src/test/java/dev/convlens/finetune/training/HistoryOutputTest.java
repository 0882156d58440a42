package dev.convlens.finetune.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.convlens.bridge.fixtures.TmpfsMount;
import dev.convlens.bridge.io.OutputWriteException;
import dev.convlens.bridge.io.OutputWriteException.Reason;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** History's files on a real full disk and read-only mount: the cause in one line, the earlier file kept. */
class HistoryOutputTest {
  @TempDir Path tmp;

  @Test
  void aFullDiskIsNamedAndTheEarlierFilesStay() throws Exception {
    try (TmpfsMount disk = TmpfsMount.writable(tmp.resolve("disk"), false)) {
      Path json = Files.writeString(disk.dir().resolve("history.json"), "earlier");
      disk.fill();
      OutputWriteException e = assertThrows(OutputWriteException.class, () -> HistoryTest.twoPhases().writeJson(json));
      assertEquals(Reason.DISK_FULL, e.reason());
      assertEquals("cannot write " + json + ": the disk is full (no space left on device)", e.getMessage());
      Path png = disk.dir().resolve("curves.png");
      OutputWriteException p = assertThrows(OutputWriteException.class, () -> HistoryTest.twoPhases().plot(png));
      assertEquals("cannot write " + png + ": the disk is full (no space left on device)", p.getMessage(),
          "not ImageIO's 'I/O error writing PNG file!'");
      assertEquals("earlier", Files.readString(json));
      assertEquals(List.of("history.json"), disk.leftovers());
    }
  }

  @Test
  void aReadOnlyMountIsNamed() throws Exception {
    try (TmpfsMount ro = TmpfsMount.readOnly(tmp.resolve("ro"))) {
      Path csv = ro.dir().resolve("history.csv");
      OutputWriteException e = assertThrows(OutputWriteException.class, () -> HistoryTest.twoPhases().writeCsv(csv));
      assertEquals("cannot write " + csv + ": the file system is read-only", e.getMessage());
    }
  }
}
