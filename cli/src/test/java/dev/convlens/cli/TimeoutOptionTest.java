package dev.convlens.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine.TypeConversionException;

/** {@code --timeout}: what it reads, and that a passed deadline stops filters and gradcam with exit code 1 and no output. */
class TimeoutOptionTest {
  @TempDir Path tmp;

  @Test
  void readsShortFormsAndIso() {
    assertEquals(Duration.ofMillis(500), TimeoutOption.parse("500ms"));
    assertEquals(Duration.ofSeconds(30), TimeoutOption.parse("30s"));
    assertEquals(Duration.ofMillis(1500), TimeoutOption.parse("1.5s"));
    assertEquals(Duration.ofMinutes(10), TimeoutOption.parse("10m"));
    assertEquals(Duration.ofHours(2), TimeoutOption.parse("2H"));
    assertEquals(Duration.ofSeconds(90), TimeoutOption.parse("PT1M30S"));
    assertThrows(TypeConversionException.class, () -> TimeoutOption.parse("soon"));
    assertThrows(TypeConversionException.class, () -> TimeoutOption.parse("-PT1S"));
    assertEquals(2, CliRun.of("filters", "--model", "x", "--layer", "c", "--out", "g.png", "--timeout", "30 seconds").code());
  }

  @Test
  void aPassedDeadlineStopsTheWorkAndWritesNothing() {
    Path grid = tmp.resolve("grid.png");
    CliRun f = CliRun.of("filters", "--model", "../saved_models/shapes", "--layer", "conv1", "--out", grid.toString(),
        "--timeout", "0ms");
    assertEquals(1, f.code(), f.err());
    assertTrue(f.err().contains("deadline of 0 ms passed"), f.err());
    assertFalse(f.err().contains("\tat "), f.err());
    assertFalse(Files.exists(grid));

    Path image = tmp.resolve("triangle.png");
    dev.convlens.visualize.render.Images.write(dev.convlens.visualize.render.Images.rgb(
        dev.convlens.cli.demo.Shapes.sample(5, 3).image()), image);
    Path heat = tmp.resolve("heat.png");
    CliRun g = CliRun.of("gradcam", "--model", "../saved_models/shapes", "--image", image.toString(), "--out",
        heat.toString(), "--method", "scorecam", "--timeout", "0s");
    assertEquals(1, g.code(), g.err());
    assertTrue(g.err().contains("deadline of 0 ms passed"), g.err());
    assertFalse(Files.exists(heat));
  }
}
