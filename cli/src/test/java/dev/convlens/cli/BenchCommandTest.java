package dev.convlens.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

class BenchCommandTest {
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int run(String... args) {
    return Main.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
  }

  @Test
  void printsOneRowPerBatchAndExitsZero() {
    int code = run("bench", "forward", "--input-size", "32", "--batch", "1,2", "--warmup", "0", "--iterations", "1");
    assertEquals(0, code, err.toString());
    String[] lines = out.toString().split("\\R");
    assertTrue(lines[0].startsWith("forward pass: vgg16 (no top), random weights (seed 42), input [N, 32, 32, 3]"
        + " -> output [N, 1, 1, 512]"), lines[0]);
    assertTrue(lines[1].startsWith("machine: "), lines[1]);
    assertTrue(lines[2].trim().startsWith("batch"), lines[2]);
    assertTrue(lines[3].trim().startsWith("1 "), lines[3]);
    assertTrue(lines[4].trim().startsWith("2 "), lines[4]);
    assertTrue(err.toString().contains("batch 2: 1/1"), err.toString());
  }

  @Test
  void badCountsAreUsageErrors() {
    assertEquals(2, run("bench", "forward", "--iterations", "0"));
    assertTrue(err.toString().contains("--iterations must be 1 or more"), err.toString());
    assertEquals(2, run("bench", "forward", "--batch", "1,0"));
    assertEquals(2, run("bench"));
    assertTrue(err.toString().contains("missing subcommand"), err.toString());
  }
}
