package dev.convlens.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.convlens.bridge.FloatTensor;
import dev.convlens.bridge.fixtures.ConfigDialect;
import dev.convlens.bridge.fixtures.FixtureModels;
import dev.convlens.bridge.fixtures.KerasFixtureFiles;
import dev.convlens.bridge.io.Npy;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ActivationsCommandTest {
  @TempDir Path tmp;

  private static CliRun run(String... args) {
    return CliRun.of(args);
  }

  private Path image(int size) throws Exception {
    BufferedImage img = new BufferedImage(size, size, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < size; y++) {
      for (int x = 0; x < size; x++) {
        img.setRGB(x, y, ((x * 8) & 0xff) << 16 | ((y * 8) & 0xff) << 8 | ((x * y) & 0xff));
      }
    }
    Path file = tmp.resolve("in.png");
    ImageIO.write(img, "png", file.toFile());
    return file;
  }

  /** VGG16's layer names and structure, filters divided by 16, 32x32: fast to load, unlike 14.7M random weights. */
  private Path narrowVgg16() {
    return KerasFixtureFiles.writeKerasZip(FixtureModels.vgg16NoTop(ConfigDialect.KERAS_2_SAVING_V3, 32, 16),
        tmp.resolve("vgg16.keras"));
  }

  @Test
  void vgg16GridsTablesAndRawArrays() throws Exception {
    Path out = tmp.resolve("out");
    CliRun r = run("activations", "--model", narrowVgg16().toString(),
        "--image", image(32).toString(), "--out", out.toString(), "--raw", "--channel", "block1_conv1:3");
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().contains("block5_pool"), r.out());
    for (String l : List.of("block1_conv1", "block1_pool", "block5_conv3", "block5_pool")) {
      assertTrue(Files.isRegularFile(out.resolve(l + ".png")), l);
      assertTrue(Files.isRegularFile(out.resolve(l + ".npy")), l);
    }
    assertTrue(Files.isRegularFile(out.resolve("block1_conv1_channel3.png")));
    List<String> csv = Files.readAllLines(out.resolve("activations.csv"));
    assertEquals(1 + 18, csv.size(), "13 conv + 5 pool layers");
    assertTrue(csv.get(1).startsWith("0,block1_conv1,Conv2D,32,32,4,"), csv.get(1));
    JsonNode json = new ObjectMapper().readTree(out.resolve("activations.json").toFile());
    assertEquals(18, json.get("layers").size());
    JsonNode last = json.get("layers").get(17);
    assertEquals("block5_pool", last.get("layer").asText());
    assertEquals(1, last.get("height").asInt());
    FloatTensor raw = Npy.read(out.resolve("block5_pool.npy"));
    assertArrayEquals(new long[] {1, 1, 1, 32}, raw.shape());
    double max = 0;
    for (float v : raw.data()) {
      max = Math.max(max, v);
    }
    assertEquals(last.get("max").asDouble(), max, 1e-6 * Math.max(1, max));
  }

  @Test
  void nestedLayersGetSafeFileNamesAndBatchesOneFilePerImage() throws Exception {
    Path model = KerasFixtureFiles.writeKerasZip(FixtureModels.allLayerTypes(ConfigDialect.KERAS_2_SAVING_V3),
        tmp.resolve("all.keras"));
    Path img = image(16);
    Path out = tmp.resolve("nested");
    CliRun r = run("activations", "--model", model.toString(), "--image", img.toString(), "--image", img.toString(),
        "--layers", "block/block_conv,gap", "--scale", "2", "--out", out.toString());
    assertEquals(0, r.code(), r.err());
    assertTrue(Files.isRegularFile(out.resolve("block__block_conv_img0.png")));
    assertTrue(Files.isRegularFile(out.resolve("block__block_conv_img1.png")));
    assertTrue(r.err().contains("not drawn: gap"), r.err());
    List<String> csv = Files.readAllLines(out.resolve("activations.csv"));
    assertEquals(1 + 2 * 2, csv.size());
    assertTrue(csv.get(3).startsWith("1,block/block_conv,Conv2D,8,8,8,"), csv.get(3));
  }

  @Test
  void badArgumentsFailBeforeAnyWork() throws Exception {
    String img = image(32).toString();
    Path out = tmp.resolve("never");
    String vgg = narrowVgg16().toString();
    CliRun unknown = run("activations", "--model", vgg,
        "--image", img, "--layers", "block9_conv1", "--out", out.toString());
    assertEquals(1, unknown.code());
    assertTrue(unknown.err().contains("no layer 'block9_conv1'"), unknown.err());
    CliRun channel = run("activations", "--model", vgg,
        "--image", img, "--channel", "block1_conv1:4", "--out", out.toString());
    assertEquals(1, channel.code());
    assertTrue(channel.err().contains("channels 0..3"), channel.err());
    assertTrue(Files.notExists(out));
    assertEquals(2, run("activations", "--model", "vgg16", "--image", img, "--raw").code());
    assertEquals(2, run("activations", "--model", "vgg16", "--image", img, "--per-row", "0").code());
    assertEquals(2, run("activations", "--model", "vgg16", "--image", img, "--layers", "a", "--first", "2").code());
  }
}
