package dev.convlens.cli.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class ActivationsBenchTest {
  @Test
  void printsBothMediansAndTheRatioForThirteenLayers() {
    StringWriter out = new StringWriter();
    CommandLine cl = new CommandLine(new ActivationsBench());
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(new StringWriter(), true));
    int code = cl.execute("--input-size", "32", "--warmup", "0", "--iterations", "1");
    assertEquals(0, code);
    assertTrue(out.toString().contains("13 conv layers"), out.toString());
    assertTrue(out.toString().contains("one run, 13 layers fetched"), out.toString());
    assertTrue(out.toString().contains("ratio (separate / one run)"), out.toString());
    assertTrue(out.toString().contains("Wilcoxon signed-rank p = n/a (1 pairs)"), out.toString());
  }

  @Test
  void medianOfEvenAndOddCounts() {
    assertEquals(2.0, Timings.ofNanos(new long[] {3_000_000, 1_000_000, 2_000_000}).median());
    assertEquals(2.5, Timings.ofNanos(new long[] {4_000_000, 1_000_000, 2_000_000, 3_000_000}).median());
  }

  @Test
  void badCountsAreUsageErrors() {
    CommandLine cl = new CommandLine(new ActivationsBench());
    cl.setErr(new PrintWriter(new StringWriter(), true));
    assertEquals(2, cl.execute("--iterations", "0"));
  }
}
