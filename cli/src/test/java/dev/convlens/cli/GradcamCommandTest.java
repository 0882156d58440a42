package dev.convlens.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convlens.bridge.FloatTensor;
import dev.convlens.bridge.fixtures.SharedData;
import dev.convlens.bridge.io.Npy;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GradcamCommandTest {
  @TempDir Path tmp;

  private static CliRun run(String... args) {
    return CliRun.of(args);
  }

  private static String[] mobileNet(Path data, String... more) {
    String[] base = {"gradcam", "--model", "mobilenet", "--alpha", "0.25", "--input-size", "128",
        "--weights", data.resolve("models/keras-applications/mobilenet_2_5_128_tf.h5").toString(),
        "--labels", data.resolve("imagenet_class_index.json").toString(),
        "--image", data.resolve("images/book/creative_commons_elephant.jpg").toString()};
    String[] all = new String[base.length + more.length];
    System.arraycopy(base, 0, all, 0, base.length);
    System.arraycopy(more, 0, all, base.length, more.length);
    return all;
  }

  @Test
  void elephantOverlayTopThreeAndRawMap() throws Exception {
    Path data = SharedData.require("models/keras-applications/mobilenet_2_5_128_tf.h5").getParent().getParent().getParent();
    Path out = tmp.resolve("heat.png");
    Path raw = tmp.resolve("heat.npy");
    CliRun r = run(mobileNet(data, "--out", out.toString(), "--raw", raw.toString(), "--class", "tusker"));
    assertEquals(0, r.code(), r.err());
    String[] lines = r.out().strip().split("\n");
    assertEquals("1. African_elephant (386) 0.5160", lines[0].strip(), r.out());
    assertTrue(lines[3].startsWith("gradcam-book of tusker (101, 0.1850) at conv_pw_13_relu, 4x4"), r.out());
    BufferedImage img = ImageIO.read(out.toFile());
    assertEquals(899, img.getWidth(), "overlay at the photo's own size");
    assertEquals(600, img.getHeight());
    FloatTensor map = Npy.read(raw);
    assertArrayEquals(new long[] {2, 4, 4}, map.shape());
  }

  @Test
  void badArgumentsAreUsageErrors() {
    Path data = SharedData.require("models/keras-applications/mobilenet_2_5_128_tf.h5").getParent().getParent().getParent();
    String out = tmp.resolve("x.png").toString();
    assertEquals(2, run(mobileNet(data, "--out", out, "--method", "gradcam+++")).code());
    assertEquals(2, run(mobileNet(data, "--out", tmp.resolve("x.gif").toString())).code());
    CliRun unknownClass = run(mobileNet(data, "--out", out, "--class", "unicorn"));
    assertEquals(2, unknownClass.code());
    assertTrue(unknownClass.err().contains("unicorn"), unknownClass.err());
    CliRun layer = run(mobileNet(data, "--out", out, "--layer", "reshape_2"));
    assertEquals(1, layer.code());
    assertTrue(layer.err().contains("4-D"), layer.err());
  }
}
