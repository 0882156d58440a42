package dev.convlens.cli.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.convlens.visualize.cam.CamMethod;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** bench gradcam reduced (VGG16 at 32x32, one round): every method gets a row, every ratio is positive. */
class GradCamBenchCommandTest {
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int run(String... args) {
    CommandLine cl = new CommandLine(new GradCamBenchCommand());
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    return cl.execute(args);
  }

  @Test
  void everyCamMethodAtBothBatchesAndTheInputSpaceMethodsAtOne(@TempDir Path dir) throws Exception {
    Path json = dir.resolve("bench.json");
    int code = run("--input-size", "32", "--batch", "1,2", "--warmup", "0", "--iterations", "1", "--slow-batch", "1",
        "--scorecam-batch", "128", "--ig-steps", "3", "--ig-batch", "2", "--json", json.toString());
    assertEquals(0, code, err.toString());
    String text = out.toString();
    JsonNode rows = new ObjectMapper().readTree(json.toFile()).get("rows");
    Set<String> seen = new HashSet<>();
    for (JsonNode r : rows) {
      double ratio = r.get("ratioToForward").asDouble();
      assertTrue(ratio > 0 && Double.isFinite(ratio), r.toString());
      assertEquals(1, r.get("runs").asInt(), r.toString());
      seen.add(r.get("method").asText() + "@" + r.get("batch").asInt());
    }
    Set<String> slow = Set.of("scorecam", "fasterscorecam", "ablationcam");
    for (CamMethod m : CamMethod.values()) {
      assertTrue(seen.contains(m.cliName() + "@1"), m + " at batch 1: " + seen);
      assertEquals(!slow.contains(m.cliName()), seen.contains(m.cliName() + "@2"), m + " at batch 2: " + seen);
      assertTrue(text.contains("\n" + m.cliName() + " "), m + " in\n" + text);
    }
    for (String input : new String[] {"forward@1", "forward@2", "saliency@1", "guided@1", "ig (2/run)@1", "ig (1/run)@1"}) {
      assertTrue(seen.contains(input), input + ": " + seen);
    }
    assertEquals(6 + 2 * CamMethod.values().length - (int) slow.stream().filter(n -> GradCamBenchCommand.lookup(n) != null)
        .count(), rows.size(), seen.toString());
    assertTrue(text.contains("Integrated Gradients, 3 steps: 2 points per run"), text);
    assertTrue(text.contains(GradCamBenchCommand.lookup("fasterscorecam") == null
        ? "Faster-Score-CAM vs Score-CAM: absent" : "Faster-Score-CAM (its default N) vs Score-CAM, batch 1:"), text);
    assertTrue(text.contains("machine: "), text);
    assertTrue(err.toString().contains("timed round 1/1"), err.toString());
  }

  @Test
  void methodsRestrictTheRows() {
    int code = run("--input-size", "32", "--batch", "1", "--warmup", "0", "--iterations", "1", "--methods",
        "gradcam++,saliency");
    assertEquals(0, code, err.toString());
    String text = out.toString();
    assertTrue(text.contains("\ngradcam++ ") && text.contains("\nsaliency ") && text.contains("\nforward "), text);
    assertFalse(text.contains("\ngradcam-book ") || text.contains("\nig (") || text.contains("\nscorecam"), text);
    assertTrue(text.contains("Faster-Score-CAM vs Score-CAM: absent") || text.contains("not measured (--methods"), text);
  }

  @Test
  void badOptionsAreUsageErrors() {
    assertEquals(2, run("--methods", "gradcam,nosuchcam"));
    assertTrue(err.toString().contains("unknown CAM method 'nosuchcam'"), err.toString());
    assertEquals(2, run("--iterations", "2", "--slow-iterations", "3"));
    assertEquals(2, run("--ig-batch", "0"));
  }
}
