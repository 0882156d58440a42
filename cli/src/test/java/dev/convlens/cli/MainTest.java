package dev.convlens.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convlens.bridge.fixtures.SharedData;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class MainTest {
  private static CliRun run(String... args) {
    return CliRun.of(args);
  }

  @Test
  void summaryOfTheBuiltInVgg16BaseEndsWithItsParameterCount() {
    CliRun r = run("summary", "--model", "vgg16", "--no-top", "--input-size", "32", "--random-weights", "1");
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().contains("block5_conv3 (Conv2D)"), r.out());
    assertTrue(r.out().contains("Total params: 14,714,688"), r.out());
  }

  @Test
  void predictPrintsTheBookStyleTopThree() {
    Path data = SharedData.require("models/keras-applications/mobilenet_2_5_128_tf.h5").getParent().getParent().getParent();
    CliRun r = run("predict", "--model", "mobilenet", "--alpha", "0.25", "--input-size", "128",
        "--weights", data.resolve("models/keras-applications/mobilenet_2_5_128_tf.h5").toString(),
        "--labels", data.resolve("imagenet_class_index.json").toString(),
        "--image", data.resolve("images/book/creative_commons_elephant.jpg").toString());
    assertEquals(0, r.code(), r.err());
    String[] lines = r.out().strip().split("\n");
    assertEquals(3, lines.length, r.out());
    // golden/README.md §9: 386 African_elephant 0.51595, 101 tusker 0.18503, 346 water_buffalo 0.13629
    assertEquals("1. African_elephant (386) 0.5160", lines[0].strip());
    assertEquals("2. tusker (101) 0.1850", lines[1].strip());
    assertEquals("3. water_buffalo (346) 0.1363", lines[2].strip());
  }

  @Test
  void aMissingModelIsAOneLineFailure() {
    CliRun r = run("summary", "--model", "/nonexistent/model.h5");
    assertEquals(1, r.code());
    assertTrue(r.err().startsWith("convlens: /nonexistent/model.h5: no such file"), r.err());
    assertFalse(r.err().contains("\tat "), "no stack trace without --verbose: " + r.err());
  }

  @Test
  void unknownOptionsAreUsageErrors() {
    assertEquals(2, run("summary", "--bogus").code());
    assertEquals(2, run("predict", "--model", "vgg16").code());
  }

  @Test
  void layersListsEveryRebuiltClassWithItsLimits() {
    CliRun r = run("layers");
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().lines().anyMatch(l -> l.startsWith("Conv2DTranspose") && l.contains("convolutional")
        && l.contains("output_padding")), r.out());
    assertTrue(r.out().lines().anyMatch(l -> l.startsWith("Resizing") && l.contains("area")), r.out());
    assertFalse(r.out().contains("LSTM"), "only classes convlens rebuilds: " + r.out());
  }
}
