package dev.convlens.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** {@code convlens bench cancel} runs its cases and prints one block per case (no figures are checked). */
class CancelBenchTest {
  @Test
  void printsEachCaseWithItsThreeModes() {
    CliRun r = CliRun.of("bench", "cancel", "--model", "../saved_models/shapes", "--iterations", "1", "--images", "1",
        "--layer", "conv1", "--no-vgg16");
    assertEquals(0, r.code(), r.err());
    String[] lines = r.out().split("\\R");
    assertTrue(lines[0].startsWith("cancel: deadline 100 ms, 1 iterations"), lines[0]);
    assertTrue(lines[1].startsWith("machine: "), lines[1]);
    assertTrue(lines[2].startsWith("Score-CAM, demo model, 1 images (conv4, batch 32):"), lines[2]);
    assertTrue(lines[3].strip().startsWith("uncancelled"), lines[3]);
    assertTrue(lines[4].strip().startsWith("deadline") && lines[4].contains("stopped"), lines[4]);
    assertTrue(lines[5].strip().startsWith("Future.cancel(true) at the deadline"), lines[5]);
    assertTrue(lines[6].startsWith("filter grid, demo model conv1, 16 filters x 40 steps"), lines[6]);
    assertEquals(10, lines.length, r.out());
    assertEquals(2, CliRun.of("bench", "cancel", "--deadline", "0").code());
  }
}
