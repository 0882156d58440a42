package dev.convlens.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FinetuneCommandTest {
  @TempDir
  Path tmp;

  private static CliRun run(String... args) {
    return CliRun.of(args);
  }

  /** Class 0 bright on the left half, class 1 on the right half. */
  private static void images(Path dir, int perClass, long seed) throws Exception {
    Random r = new Random(seed);
    for (int c = 0; c < 2; c++) {
      Path d = Files.createDirectories(dir.resolve(c == 0 ? "cats" : "dogs"));
      for (int k = 0; k < perClass; k++) {
        BufferedImage img = new BufferedImage(40, 40, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 40; y++) {
          for (int x = 0; x < 40; x++) {
            int v = ((x < 20) == (c == 0) ? 200 : 40) + r.nextInt(30);
            img.setRGB(x, y, (v << 16) | (v << 8) | v);
          }
        }
        ImageIO.write(img, "png", d.resolve("i" + k + ".png").toFile());
      }
    }
  }

  @Test
  void finetuneWritesModelsAndHistoryAndEvaluateReadsThemBack() throws Exception {
    images(tmp.resolve("data/train"), 4, 1);
    images(tmp.resolve("data/validation"), 2, 2);
    Files.writeString(tmp.resolve("data/train/cats/readme.txt"), "not an image");
    Path out = tmp.resolve("out");
    CliRun r = run("finetune", "--base", "vgg16", "--random-weights", "1", "--input-size", "32", "--data",
        tmp.resolve("data").toString(), "--out", out.toString(), "--epochs", "1", "--fine-tune-epochs", "1",
        "--units", "8", "--batch-size", "4");
    assertEquals(0, r.code(), r.err());
    assertTrue(r.err().contains("skipped ") && r.err().contains("readme.txt"), r.err());
    assertTrue(r.err().contains("epoch 1/1 ["), r.err());
    assertTrue(r.out().contains("head: val_accuracy "), r.out());
    assertTrue(r.out().contains("fine_tune: val_accuracy "), r.out());
    for (String f : new String[] {"model.h5", "savedmodel", "history.json", "history.csv", "curves.png",
        FinetuneCommand.SIDECAR}) {
      assertTrue(Files.exists(out.resolve(f)), f);
    }
    CliRun h5 = run("evaluate", "--model", out.resolve("model.h5").toString(), "--data", tmp.resolve("data/validation").toString());
    assertEquals(0, h5.code(), h5.err());
    assertTrue(h5.out().matches("accuracy \\d\\.\\d{4}\\nloss \\d+\\.\\d{4}\\n"), h5.out());
    CliRun saved = run("evaluate", "--model", out.resolve("savedmodel").toString(), "--data",
        tmp.resolve("data/validation").toString());
    assertEquals(h5.out(), saved.out());
  }

  @Test
  void evaluateWithoutKnownPreprocessingSaysWhatToPass() throws Exception {
    images(tmp.resolve("val"), 1, 3);
    Files.createDirectories(tmp.resolve("m"));
    CliRun r = run("evaluate", "--model", tmp.resolve("m/model.h5").toString(), "--data", tmp.resolve("val").toString());
    assertEquals(1, r.code());
    assertTrue(r.err().contains("pass --preprocess"), r.err());
  }
}
