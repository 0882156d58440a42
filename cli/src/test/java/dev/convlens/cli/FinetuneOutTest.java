package dev.convlens.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convlens.bridge.fixtures.TmpfsMount;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * finetune --out is one folder moved into place when training ends: an earlier run's folder is
 * refused before training unless --overwrite, then replaced as a whole (never this run's model.h5
 * beside the previous savedmodel/); a full disk leaves the earlier run's folder as it was.
 */
class FinetuneOutTest {
  @TempDir Path tmp;

  private static void images(Path dir) throws Exception {
    for (int c = 0; c < 2; c++) {
      Path d = Files.createDirectories(dir.resolve(c == 0 ? "cats" : "dogs"));
      for (int k = 0; k < 2; k++) {
        BufferedImage img = new BufferedImage(32, 32, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 32; y++) {
          for (int x = 0; x < 32; x++) {
            int v = (x < 16) == (c == 0) ? 200 : 40 + k;
            img.setRGB(x, y, (v << 16) | (v << 8) | v);
          }
        }
        ImageIO.write(img, "png", d.resolve("i" + k + ".png").toFile());
      }
    }
  }

  private CliRun finetune(Path out, String... more) throws Exception {
    if (!Files.isDirectory(tmp.resolve("data"))) {
      images(tmp.resolve("data/train"));
      images(tmp.resolve("data/validation"));
    }
    List<String> args = new java.util.ArrayList<>(List.of("finetune", "--base", "vgg16", "--random-weights", "1",
        "--input-size", "32", "--data", tmp.resolve("data").toString(), "--out", out.toString(), "--epochs", "1",
        "--fine-tune-epochs", "1", "--units", "4", "--batch-size", "4"));
    args.addAll(List.of(more));
    return CliRun.of(args.toArray(String[]::new));
  }

  /** An earlier run's folder: the sidecar every run writes, and a file this run would not write. */
  private static Path earlierRun(Path out) throws Exception {
    Files.createDirectories(out.resolve("savedmodel"));
    Files.writeString(out.resolve(FinetuneCommand.SIDECAR), "{\"base\": \"earlier\"}");
    Files.writeString(out.resolve("notes-of-run-1.txt"), "run 1");
    return out;
  }

  @Test
  void anEarlierRunIsRefusedBeforeTrainingThenReplacedAsAWhole() throws Exception {
    Path out = earlierRun(tmp.resolve("out"));
    CliRun refused = CliRun.of("finetune", "--base", "vgg16", "--data", tmp.resolve("no-data").toString(),
        "--out", out.toString());
    assertEquals(2, refused.code(), "refused before the data is even looked at: " + refused.err());
    assertTrue(refused.err().contains("holds the output of an earlier run (" + FinetuneCommand.SIDECAR
        + "): pass --overwrite to replace it"), refused.err());

    CliRun r = finetune(out, "--overwrite");
    assertEquals(0, r.code(), r.err());
    assertFalse(Files.exists(out.resolve("notes-of-run-1.txt")), "replaced as a whole");
    assertFalse(Files.readString(out.resolve(FinetuneCommand.SIDECAR)).contains("earlier"));
    for (String f : new String[] {"model.h5", "savedmodel/saved_model.pb", "history.json", "history.csv", "curves.png"}) {
      assertTrue(Files.exists(out.resolve(f)), f);
    }
    assertEquals(Set.of("data", "out"), OutputFoldersTest.list(tmp), "no temporary or earlier folder left beside it");
  }

  @Test
  void aFullDiskLeavesTheEarlierRunAsItWas() throws Exception {
    try (TmpfsMount disk = TmpfsMount.writable(tmp.resolve("disk"), false)) {
      Path out = earlierRun(disk.dir().resolve("out"));
      disk.fill();
      CliRun r = finetune(out, "--overwrite");
      assertEquals(1, r.code(), r.err());
      assertEquals("convlens: cannot write " + out + ": the disk is full (no space left on device)",
          OutputFoldersTest.lastLine(r.err()));
      assertEquals("run 1", Files.readString(out.resolve("notes-of-run-1.txt")));
      assertEquals(Set.of("notes-of-run-1.txt", "savedmodel", FinetuneCommand.SIDECAR), OutputFoldersTest.list(out));
      assertEquals(List.of("out"), disk.leftovers(), "no partial folder or temporary beside it");
    }
  }
}
