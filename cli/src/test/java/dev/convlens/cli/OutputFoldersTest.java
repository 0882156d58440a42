package dev.convlens.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convlens.bridge.fixtures.ConfigDialect;
import dev.convlens.bridge.fixtures.FixtureModels;
import dev.convlens.bridge.fixtures.KerasFixtureFiles;
import dev.convlens.bridge.fixtures.TmpfsMount;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The folders activations and export write: an earlier run's --out is refused before any work
 * unless --overwrite, and a full disk or read-only mount is one line naming the cause and the path,
 * with nothing left behind (real tmpfs mounts; those tests skip where mounting is not allowed).
 */
class OutputFoldersTest {
  @TempDir Path tmp;

  private Path model() {
    return KerasFixtureFiles.writeKeras2FullH5(FixtureModels.smallSequential(ConfigDialect.KERAS_2),
        tmp.resolve("small.h5"));
  }

  private Path image() throws IOException {
    BufferedImage img = new BufferedImage(50, 50, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < 50; y++) {
      for (int x = 0; x < 50; x++) {
        img.setRGB(x, y, (x * 5) << 16 | (y * 5) << 8 | 128);
      }
    }
    Path file = tmp.resolve("in.png");
    ImageIO.write(img, "png", file.toFile());
    return file;
  }

  private static CliRun activations(Path model, Path image, Path out, String... more) {
    List<String> args = new java.util.ArrayList<>(List.of("activations", "--model", model.toString(), "--image",
        image.toString(), "--out", out.toString(), "--raw"));
    args.addAll(List.of(more));
    return CliRun.of(args.toArray(String[]::new));
  }

  @Test
  void anEarlierRunIsReplacedOnlyWithOverwrite() throws Exception {
    Path out = Files.createDirectories(tmp.resolve("acts"));
    Files.writeString(out.resolve("activations.json"), "{}");
    Files.writeString(out.resolve("conv2d_9.png"), "a layer the next run does not have");
    CliRun refused = activations(tmp.resolve("no-such-model.h5"), tmp.resolve("no-such.png"), out);
    assertEquals(2, refused.code(), "refused before the model is even loaded: " + refused.err());
    assertTrue(refused.err().contains("--out " + out + " holds the output of an earlier run (activations.json): "
        + "pass --overwrite to replace it"), refused.err());

    CliRun replaced = activations(model(), image(), out, "--overwrite");
    assertEquals(0, replaced.code(), replaced.err());
    assertFalse(Files.exists(out.resolve("conv2d_9.png")), "replaced as a whole, not file by file");
    assertTrue(Files.isRegularFile(out.resolve("conv2d_4.png")));
    assertTrue(Files.isRegularFile(out.resolve("conv2d_4.npy")));
    assertTrue(Files.size(out.resolve("activations.json")) > 2);
    assertEquals(Set.of("acts", "in.png", "small.h5"), list(tmp), "nothing left beside it");
  }

  @Test
  void aFolderThatIsNotAnEarlierOutputIsNeverReplaced() throws Exception {
    Path out = Files.createDirectories(tmp.resolve("photos"));
    Files.writeString(out.resolve("holiday.jpg"), "precious");
    CliRun r = activations(model(), image(), out, "--overwrite");
    assertEquals(2, r.code());
    assertTrue(r.err().contains("is not an earlier output (it has no activations.json)"), r.err());
    assertEquals(Set.of("holiday.jpg"), list(out));
    assertEquals(2, CliRun.of("activations", "--model", "m.h5", "--image", "x.png", "--overwrite").code(),
        "--overwrite needs --out");
  }

  @Test
  void activationsOnAFullDiskSaySoInOneLineAndLeaveNothing() throws Exception {
    Path model = model();
    Path image = image();
    try (TmpfsMount disk = TmpfsMount.writable(tmp.resolve("disk"), true)) {
      Path out = disk.dir().resolve("acts");
      CliRun r = activations(model, image, out);
      assertEquals(1, r.code(), r.err());
      assertEquals("convlens: cannot write " + out + ": the disk is full (no space left on device)", lastLine(r.err()));
      assertEquals(List.of(), disk.leftovers(), "no partial folder (today: 9 PNGs and no CSV), no temporary");
    }
  }

  @Test
  void activationsAndExportOnAReadOnlyMountSaySo() throws Exception {
    Path model = model();
    Path image = image();
    try (TmpfsMount ro = TmpfsMount.readOnly(tmp.resolve("ro"))) {
      Path out = ro.dir().resolve("acts");
      CliRun r = activations(model, image, out);
      assertEquals(1, r.code(), r.err());
      assertEquals("convlens: cannot write " + out + ": the file system is read-only", lastLine(r.err()));
      Path export = ro.dir().resolve("export");
      CliRun e = CliRun.of("export", "--model", model.toString(), "--out", export.toString());
      assertEquals(1, e.code(), e.err());
      assertEquals("convlens: cannot write " + export + ": the file system is read-only", e.err().strip(),
          "one line, not TensorFlow's 'No such file or directory'");
      assertEquals(List.of(), ro.leftovers());
    }
  }

  @Test
  void exportOnAFullDiskSaysSoInOneLine() throws Exception {
    Path model = model();
    try (TmpfsMount disk = TmpfsMount.writable(tmp.resolve("disk"), true)) {
      Path export = disk.dir().resolve("export");
      CliRun e = CliRun.of("export", "--model", model.toString(), "--out", export.toString());
      assertEquals(1, e.code(), e.err());
      assertEquals("convlens: cannot write " + export + ": the disk is full (no space left on device)", e.err().strip(),
          "one line, without TensorFlow's hint about tensor allocation");
      assertEquals(List.of(), disk.leftovers());
    }
  }

  static String lastLine(String text) {
    List<String> lines = text.strip().lines().toList();
    return lines.get(lines.size() - 1).replaceAll("^.*\r", "");
  }

  static Set<String> list(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).collect(Collectors.toCollection(TreeSet::new));
    }
  }
}
