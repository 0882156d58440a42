package dev.convlens.cli.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** Structure and graph growth only: timings depend on the machine and are never asserted. */
class ServingBenchTest {
  private static final Pattern ROW = Pattern.compile("(?m)^(prepared|during)\\s.*\\s(\\d+) -> (\\d+)$");

  @Test
  void preparedExplainersLeaveTheGraphAloneWhileServing() {
    StringWriter out = new StringWriter();
    CommandLine cl = new CommandLine(new ServingBench());
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(new StringWriter(), true));
    int code = cl.execute("--input-size", "64", "--threads", "2", "--calls", "3", "--layers", "2");
    assertEquals(0, code, out.toString());
    String text = out.toString();
    assertTrue(text.startsWith("serving: MobileNet alpha 0.25, 64x64, random weights (seed 42); 2 threads x 3 calls"),
        text);
    assertTrue(text.contains("a 3rd thread creates Grad-CAM explainers for 2 other layers"), text);
    Matcher m = ROW.matcher(text);
    assertTrue(m.find() && m.group(1).equals("prepared"), text);
    assertEquals(m.group(2), m.group(3), "prepared: serving adds no ops");
    int preparedOps = Integer.parseInt(m.group(3));
    assertTrue(m.find() && m.group(1).equals("during"), text);
    assertTrue(Integer.parseInt(m.group(2)) < Integer.parseInt(m.group(3)), "during: the explainers add ops");
    assertEquals(preparedOps, Integer.parseInt(m.group(3)), "both end with the same graph");
    assertTrue(text.contains("Outputs identical in every round: yes"), text);
  }

  @Test
  void badCountsAreUsageErrors() {
    CommandLine cl = new CommandLine(new ServingBench());
    cl.setErr(new PrintWriter(new StringWriter(), true));
    assertEquals(2, cl.execute("--threads", "0"));
  }
}
