package dev.convlens.bridge.export;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convlens.bridge.KerasModel;
import dev.convlens.bridge.fixtures.FixtureBuilder;
import dev.convlens.bridge.fixtures.KerasFixtureFiles;
import dev.convlens.bridge.fixtures.KerasModelFixture;
import dev.convlens.bridge.fixtures.TmpfsMount;
import dev.convlens.bridge.io.OutputWriteException;
import dev.convlens.bridge.io.OutputWriteException.Reason;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Exports onto a real read-only mount and a real full disk: one line naming the cause and the
 * path (not TensorFlow's "No such file or directory" or its tensor-allocation hint), nothing left.
 */
class ExportFaultsTest {
  @TempDir Path temp;
  @TempDir Path fixtures;

  private KerasModel smallModel() {
    KerasModelFixture f = FixtureBuilder.sequential("small").input("input", 16, 16, 3)
        .conv2d("conv1", 4, 3, "valid", "relu").maxPool("pool1", 2)
        .flatten("flatten").dense("dense1", 2, "softmax")
        .build();
    return KerasModel.load(KerasFixtureFiles.writeKeras2FullH5(f, fixtures.resolve("small.h5")));
  }

  @Test
  void exportToAReadOnlyMountNamesIt() throws IOException {
    try (TmpfsMount ro = TmpfsMount.readOnly(temp.resolve("ro")); KerasModel model = smallModel()) {
      Path dir = ro.dir().resolve("small");
      OutputWriteException e = assertThrows(OutputWriteException.class, () -> model.exportSavedModel(dir));
      assertEquals(Reason.READ_ONLY, e.reason());
      assertEquals("cannot write " + dir + ": the file system is read-only", e.getMessage());
      Path h5 = ro.dir().resolve("small.h5");
      OutputWriteException h = assertThrows(OutputWriteException.class, () -> model.saveKerasH5(h5));
      assertEquals("cannot write " + h5 + ": the file system is read-only", h.getMessage());
      assertEquals(List.of(), ro.leftovers());
    }
  }

  @Test
  void exportToAFullDiskNamesIt() throws IOException {
    try (TmpfsMount disk = TmpfsMount.writable(temp.resolve("disk"), true); KerasModel model = smallModel()) {
      Path dir = disk.dir().resolve("small");
      OutputWriteException e = assertThrows(OutputWriteException.class, () -> model.exportSavedModel(dir));
      assertEquals(Reason.DISK_FULL, e.reason(), e.getMessage());
      assertEquals("cannot write " + dir + ": the disk is full (no space left on device)", e.getMessage());
      assertFalse(e.getMessage().contains("\n"));
      Path h5 = disk.dir().resolve("small.h5");
      OutputWriteException h = assertThrows(OutputWriteException.class, () -> model.saveKerasH5(h5));
      assertEquals("cannot write " + h5 + ": the disk is full (no space left on device)", h.getMessage());
      assertEquals(List.of(), disk.leftovers(), "no partial export, no temporary");
    }
  }

  /** Space for some files but not all: the earlier export stays as it was. */
  @Test
  void aFailedReExportKeepsTheEarlierExport() throws IOException {
    try (TmpfsMount disk = TmpfsMount.writable(temp.resolve("disk"), false); KerasModel model = smallModel()) {
      Path dir = disk.dir().resolve("small");
      model.exportSavedModel(dir);
      byte[] before = Files.readAllBytes(dir.resolve("saved_model.pb"));
      disk.fill();
      assertThrows(OutputWriteException.class, () -> model.exportSavedModel(dir));
      assertTrue(Files.isRegularFile(dir.resolve("assets/convlens-model.json")));
      assertEquals(before.length, Files.readAllBytes(dir.resolve("saved_model.pb")).length);
      assertEquals(List.of("small"), disk.leftovers());
      Files.delete(disk.dir().resolve(".filler"));
      try (KerasModel back = KerasModel.load(dir)) {
        assertEquals(model.layers().size(), back.layers().size());
      }
    }
  }
}
