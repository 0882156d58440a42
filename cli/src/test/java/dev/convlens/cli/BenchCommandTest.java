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
  void printsOneRowPerSettingAndOneColumnGroupPerBatchAndExitsZero() {
    int code = run("bench", "forward", "--input-size", "32", "--batch", "1,2", "--warmup", "0", "--iterations", "1",
        "--settings", "default,intra1+inter1,elementwise", "--in-process");
    assertEquals(0, code, err.toString());
    String[] lines = out.toString().split("\\R");
    assertTrue(lines[0].startsWith("forward pass: vgg16 (no top), random weights (seed 42), input [N, 32, 32, 3]"
        + " -> output [N, 1, 1, 512]"), lines[0]);
    assertTrue(lines[0].contains("3 settings interleaved in this JVM"), lines[0]);
    assertTrue(lines[1].startsWith("machine: "), lines[1]);
    assertTrue(lines[2].startsWith("batch") && lines[2].contains("| 1 ") && lines[2].contains("| 2 "), lines[2]);
    assertTrue(lines[3].startsWith("setting"), lines[3]);
    assertTrue(lines[4].startsWith("default "), lines[4]);
    assertTrue(lines[5].startsWith("intra1+inter1 "), lines[5]);
    assertTrue(lines[6].startsWith("elementwise "), lines[6]);
    assertTrue(err.toString().contains("batch 2: 1/1"), err.toString());
    assertTrue(err.toString().contains("thread counts do not compare"), err.toString());
  }

  @Test
  void workerJvmsServeOneSettingEach() {
    int code = run("bench", "forward", "--input-size", "32", "--batch", "2", "--warmup", "1", "--iterations", "2",
        "--settings", "intra1+inter1,elementwise");
    assertEquals(0, code, err.toString());
    String[] lines = out.toString().split("\\R");
    assertTrue(lines[0].contains("-> output [N, 1, 1, 512]") && lines[0].contains("one worker JVM each"), lines[0]);
    assertTrue(lines[4].startsWith("intra1+inter1 ") && lines[5].startsWith("elementwise "), out.toString());
    assertTrue(err.toString().contains("loaded vgg16 for elementwise (worker JVM)"), err.toString());
  }

  @Test
  void aWorkerThatCannotLoadItsModelIsAnErrorNamingTheSetting() {
    int code = run("bench", "forward", "--model", "no/such/model.h5", "--settings", "no-opt", "--iterations", "1");
    assertEquals(1, code, err.toString());
    assertTrue(err.toString().contains("worker for setting no-opt ended") && err.toString().contains("model.h5"),
        err.toString());
  }

  @Test
  void badCountsAreUsageErrors() {
    assertEquals(2, run("bench", "forward", "--iterations", "0"));
    assertTrue(err.toString().contains("--iterations must be 1 or more"), err.toString());
    assertEquals(2, run("bench", "forward", "--batch", "1,0"));
    assertEquals(2, run("bench", "forward", "--settings", "default,xla"));
    assertTrue(err.toString().contains("unknown setting 'xla'"), err.toString());
    assertEquals(2, run("bench", "forward", "--settings", "default,default"));
    assertEquals(2, run("bench"));
    assertTrue(err.toString().contains("missing subcommand"), err.toString());
  }
}
