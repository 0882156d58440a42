package dev.convlens.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convlens.bridge.FloatTensor;
import dev.convlens.bridge.KerasModel;
import dev.convlens.bridge.fixtures.FixtureBuilder;
import dev.convlens.bridge.fixtures.KerasFixtureFiles;
import dev.convlens.bridge.fixtures.KerasModelFixture;
import dev.convlens.bridge.io.Npy;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An MLP on a 28x28 array (as the MNIST models people share): predict from a .npy, image commands refuse. */
class NonImageModelTest {
  @TempDir Path dir;

  private Path mlp() {
    KerasModelFixture f = FixtureBuilder.sequential("mlp").seed(3).input("digits", 28, 28)
        .flatten("flatten").dense("hidden", 16, "relu").dense("scores", 10, "softmax").build();
    return KerasFixtureFiles.writeKeras2FullH5(f, dir.resolve("mlp.h5"));
  }

  @Test
  void predictFeedsAnArrayAndPrintsTheTopClassesOfEachSample() {
    Path model = mlp();
    float[] one = new float[28 * 28];
    for (int i = 0; i < one.length; i++) {
      one[i] = (i % 7) / 7f;
    }
    Path sample = dir.resolve("one.npy");
    Npy.write(sample, new FloatTensor(new long[] {28, 28}, one));
    CliRun r = CliRun.of("predict", "--model", model.toString(), "--input", sample.toString(), "--top", "2");
    assertEquals(0, r.code(), r.err());
    String[] lines = r.out().strip().split("\n");
    assertEquals(2, lines.length, r.out());
    float[] expected;
    try (KerasModel m = KerasModel.load(model)) {
      expected = m.predict(new FloatTensor(new long[] {1, 28, 28}, one)).data();
    }
    int best = 0;
    for (int i = 1; i < expected.length; i++) {
      best = expected[i] > expected[best] ? i : best;
    }
    assertTrue(lines[0].startsWith("1. class_" + best + " (" + best + ")"), r.out());

    float[] two = new float[2 * 28 * 28];
    System.arraycopy(one, 0, two, 0, one.length);
    Path batch = dir.resolve("two.npy");
    Npy.write(batch, new FloatTensor(new long[] {2, 28, 28}, two));
    CliRun b = CliRun.of("predict", "--model", model.toString(), "--input", batch.toString(), "--top", "1");
    assertEquals(0, b.code(), b.err());
    assertTrue(b.out().contains("sample 0:") && b.out().contains("sample 1:"), b.out());
  }

  @Test
  void anArrayOfTheWrongShapeAndAnImageAreRefusedInOneLine() throws Exception {
    Path model = mlp();
    Path wrong = dir.resolve("wrong.npy");
    Npy.write(wrong, new FloatTensor(new long[] {27, 28}, new float[27 * 28]));
    CliRun r = CliRun.of("predict", "--model", model.toString(), "--input", wrong.toString());
    assertEquals(1, r.code());
    assertTrue(r.err().contains("[27, 28]") && r.err().contains("[-1, 28, 28]"), r.err());

    Path png = dir.resolve("digit.png");
    ImageIO.write(new BufferedImage(28, 28, BufferedImage.TYPE_BYTE_GRAY), "png", png.toFile());
    CliRun image = CliRun.of("predict", "--model", model.toString(), "--image", png.toString());
    assertEquals(1, image.code());
    assertTrue(image.err().contains("not images") && image.err().contains("--input"), image.err());
    assertEquals(1, image.err().strip().lines().count(), image.err());
  }

  @Test
  void aTwoInputTwoOutputModelTakesNamedArraysAndPrintsEveryOutput() {
    KerasModelFixture f = FixtureBuilder.functional("two").seed(5)
        .input("x", 4).dense("a", 3, "relu")
        .input("y", 2).dense("b", 3, "relu")
        .add("sum", "a", "b")
        .dense("label", 2, "softmax")
        .from("sum").dense("score", 1, "linear")
        .outputs("label", "score").build();
    Path model = KerasFixtureFiles.writeKeras2FullH5(f, dir.resolve("two.h5"));
    Path x = dir.resolve("x.npy");
    Path y = dir.resolve("y.npy");
    Npy.write(x, new FloatTensor(new long[] {4}, new float[] {1, 2, 3, 4}));
    Npy.write(y, new FloatTensor(new long[] {2}, new float[] {-1, 1}));
    CliRun r = CliRun.of("predict", "--model", model.toString(), "--input", "x=" + x, "--input", "y=" + y);
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().contains("label [1, 2]: [") && r.out().contains("score [1, 1]: ["), r.out());

    CliRun missing = CliRun.of("predict", "--model", model.toString(), "--input", "x=" + x);
    assertEquals(1, missing.code());
    assertTrue(missing.err().contains("[x, y]"), missing.err());
    Path png = dir.resolve("p.png");
    CliRun image = CliRun.of("gradcam", "--model", model.toString(), "--image", png.toString(), "--out",
        dir.resolve("g.png").toString());
    assertTrue(image.code() != 0 && image.err().contains("2 inputs"), image.err());
  }

  @Test
  void gradcamExplainsTheChosenHeadOfATwoHeadModel() throws Exception {
    KerasModelFixture f = FixtureBuilder.functional("heads").seed(6).input("image", 8, 8, 3)
        .conv2d("last", 4, 3, "same", "relu").globalAvgPool("gap")
        .dense("kind", 3, "softmax").from("gap").dense("colour", 2, "softmax")
        .outputs("kind", "colour").build();
    Path model = KerasFixtureFiles.writeKeras2FullH5(f, dir.resolve("heads.h5"));
    Path png = dir.resolve("img.png");
    BufferedImage img = new BufferedImage(8, 8, BufferedImage.TYPE_INT_RGB);
    img.setRGB(2, 3, 0xff8040);
    ImageIO.write(img, "png", png.toFile());
    CliRun r = CliRun.of("gradcam", "--model", model.toString(), "--image", png.toString(), "--output", "colour",
        "--class", "1", "--method", "gradcam-logit", "--out", dir.resolve("heat.png").toString());
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().contains("of class_1 (1,"), r.out());
    CliRun unsaid = CliRun.of("gradcam", "--model", model.toString(), "--image", png.toString(), "--out",
        dir.resolve("heat2.png").toString());
    assertEquals(1, unsaid.code());
    assertTrue(unsaid.err().contains("[kind, colour]") && unsaid.err().contains("--output"), unsaid.err());
  }

  @Test
  void aSavedModelWithoutKerasMetadataPredictsAndRefusesExplanationsInOneLine() throws Exception {
    KerasModelFixture f = FixtureBuilder.sequential("s").seed(8).input("image", 8, 8, 3)
        .conv2d("conv", 2, 3, "same", "relu").globalAvgPool("gap").dense("out", 3, "softmax").build();
    Path plain = dir.resolve("plain");
    try (KerasModel m = KerasModel.fromConfig(f.modelConfig().toString(), f.weightSource(),
        dev.convlens.bridge.LoadOptions.defaults())) {
      m.exportSavedModel(plain);
    }
    java.nio.file.Files.delete(plain.resolve("assets/convlens-model.json"));
    Path png = dir.resolve("i.png");
    ImageIO.write(new BufferedImage(8, 8, BufferedImage.TYPE_INT_RGB), "png", png.toFile());
    CliRun p = CliRun.of("predict", "--model", plain.toString(), "--image", png.toString());
    assertEquals(0, p.code(), p.err());
    assertTrue(p.out().startsWith("1. class_"), p.out());
    CliRun g = CliRun.of("gradcam", "--model", plain.toString(), "--image", png.toString(), "--out",
        dir.resolve("h.png").toString());
    assertEquals(1, g.code());
    assertTrue(g.err().contains("predict only"), g.err());
    assertEquals(1, g.err().strip().lines().count(), g.err());
  }
}
