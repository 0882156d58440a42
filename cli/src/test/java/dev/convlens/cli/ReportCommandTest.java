package dev.convlens.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convlens.cli.report.Report;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * `convlens report` on the committed demo model; the page is opened in headless Chromium when
 * /usr/bin/chromium exists (`.ci/run` installs Debian's package), else that test is skipped.
 */
class ReportCommandTest {
  static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  private static final Pattern IMG_SRC = Pattern.compile("<img[^>]* src=\"([^\"]+)\"");

  @TempDir static Path tmp;
  static Path report;
  static CliRun made;

  private static CliRun run(String... args) {
    return CliRun.of(args);
  }

  @BeforeAll
  static void makeReport() {
    System.setProperty("convlens.home", ".."); // surefire runs in cli/; the demo model is in ../saved_models
    report = tmp.resolve("report");
    // The default report with fewer filter steps, to keep the test short.
    made = run("report", "--out", report.toString(), "--filters", "8", "--filter-steps", "8", "--feature-steps", "8");
  }

  @Test
  void defaultReportHasEverySectionAndEveryImageFile() throws IOException {
    assertEquals(0, made.code(), made.err());
    assertTrue(made.out().contains("report -> "), made.out());
    String html = Files.readString(report.resolve("index.html"));
    for (String id : Report.SECTIONS) {
      assertTrue(html.contains("<section id=\"" + id + "\">"), "section " + id);
    }
    assertTrue(html.contains("id=\"blank-channels\""));
    assertTrue(html.contains("<td class=\"name\">conv4</td>"), "conv4 in the blank-channel table");
    List<String> images = images(html);
    assertEquals(1 + 3 + 6 + 3 + 2, images.size(),
        "input, 3 Grad-CAM, 6 activation grids, 3 filter grids, 2 feature grids: " + images);
    assertTrue(images.containsAll(List.of("features_conv3.png", "features_conv3_pixels.png")), "the middle conv layer: " + images);
    for (String src : images) {
      assertFalse(src.contains("/") || src.contains(":"), "relative file beside the page: " + src);
      assertTrue(Files.size(report.resolve(src)) > 100, src);
    }
    assertTrue(html.contains(">triangle<") && !html.contains("class_0"), "class names from saved_models/shapes/labels.txt");
  }

  @Test
  void featureVisualizationShowsBothGridsWithTheirNumbers() throws IOException {
    assertEquals(0, made.code(), made.err());
    String html = Files.readString(report.resolve("index.html"));
    int at = html.indexOf("Feature visualization (Lucid-style)");
    assertTrue(at > html.indexOf("src=\"filters_conv4.png\""), "after the book's filter grids");
    String part = html.substring(at, html.indexOf("</section>", at));
    assertTrue(part.contains("over 64 reference images"), "the demo shapes: " + part);
    assertEquals(2, part.split("reach their dataset maximum|channels dead", -1).length - 1, "a summary under each grid");
    assertEquals(8, part.split("<tr><td class=\"name\">", -1).length - 1, "one row per channel (--filters 8)");
  }

  @Test
  void photoModelReportDrawsOverlaysOnThePhoto() throws Exception {
    Path data = dev.convlens.bridge.fixtures.SharedData.require("models/keras-applications/mobilenet_2_5_128_tf.h5")
        .getParent().getParent().getParent();
    Path dir = tmp.resolve("mobilenet");
    CliRun r = run("report", "--model", "mobilenet", "--alpha", "0.25", "--input-size", "128",
        "--weights", data.resolve("models/keras-applications/mobilenet_2_5_128_tf.h5").toString(),
        "--labels", data.resolve("imagenet_class_index.json").toString(),
        "--image", data.resolve("images/book/creative_commons_elephant.jpg").toString(),
        "--out", dir.toString(), "--filter-layers", "2", "--filters", "4", "--filter-steps", "3", "--feature-steps", "3",
        "--max-channels", "16");
    assertEquals(0, r.code(), r.err());
    String html = Files.readString(dir.resolve("index.html"));
    assertTrue(html.contains("<td class=\"name\">African_elephant</td><td>386</td><td>0.5160</td>"), "top-1 as predict");
    assertTrue(html.contains("<details>"), "the 88-layer summary is folded");
    java.awt.image.BufferedImage overlay = javax.imageio.ImageIO.read(dir.resolve("gradcam_1.png").toFile());
    assertEquals(480, overlay.getWidth(), "the 899x600 photo, scaled to 480 on its long side");
    assertEquals(320, overlay.getHeight());
  }

  @Test
  void modelWithoutImageIsAUsageError() {
    CliRun r = run("report", "--model", "../saved_models/shapes", "--out", tmp.resolve("x").toString());
    assertEquals(2, r.code(), r.err());
    assertTrue(r.err().contains("--image"), r.err());
    CliRun bad = run("report", "--filters", "0", "--out", tmp.resolve("y").toString());
    assertEquals(2, bad.code(), bad.err());
  }

  @Test
  void chromiumLoadsEveryImageAndShowsTheSections() throws Exception {
    Assumptions.assumeTrue(Files.isExecutable(CHROMIUM), "/usr/bin/chromium not installed (apt-get install chromium); "
        + "browser check skipped");
    assertEquals(0, made.code(), made.err());
    Path page = report.resolve("index.html").toAbsolutePath();
    Path shot = Path.of("target", "report-screenshot.png").toAbsolutePath();
    Files.createDirectories(shot.getParent());
    Files.deleteIfExists(shot);
    chromium(List.of("--screenshot=" + shot, "--window-size=1280,4000", page.toUri().toString()));
    assertTrue(Files.isRegularFile(shot) && Files.size(shot) > 10_000, "screenshot " + shot);
    String dom = chromium(List.of("--virtual-time-budget=5000", "--dump-dom", page.toUri().toString()));
    int expected = images(Files.readString(page)).size();
    assertTrue(dom.contains("data-images=\"" + expected + "\""), "the page's script ran and counted " + expected
        + " images: " + bodyTag(dom));
    assertTrue(dom.contains("data-broken-images=\"0\""), "broken images: " + bodyTag(dom));
    for (String id : Report.SECTIONS) {
      assertTrue(dom.contains("<section id=\"" + id + "\">"), "section " + id + " in the rendered DOM");
    }
  }

  private static String chromium(List<String> args) throws Exception {
    Path profile = Files.createTempDirectory(tmp, "chromium");
    List<String> cmd = new ArrayList<>(List.of(CHROMIUM.toString(), "--headless", "--no-sandbox", "--disable-gpu",
        "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--disable-dev-shm-usage", "--user-data-dir=" + profile));
    cmd.addAll(args);
    Path stdout = tmp.resolve("chromium-" + System.nanoTime() + ".out");
    Process p = new ProcessBuilder(cmd).redirectOutput(stdout.toFile())
        .redirectError(ProcessBuilder.Redirect.DISCARD).start();
    if (!p.waitFor(90, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("chromium did not finish in 90 s: " + cmd);
    }
    assertEquals(0, p.exitValue(), "chromium exit code for " + cmd);
    return Files.readString(stdout, StandardCharsets.UTF_8);
  }

  private static List<String> images(String html) {
    List<String> out = new ArrayList<>();
    Matcher m = IMG_SRC.matcher(html);
    while (m.find()) {
      out.add(m.group(1));
    }
    return out;
  }

  private static String bodyTag(String dom) {
    int at = dom.indexOf("<body");
    return at < 0 ? "(no body)" : dom.substring(at, Math.min(dom.length(), dom.indexOf('>', at) + 1));
  }
}
