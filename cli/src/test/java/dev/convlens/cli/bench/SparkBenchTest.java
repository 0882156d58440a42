package dev.convlens.cli.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convlens.bridge.fixtures.SharedData;
import dev.convlens.cli.Main;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** bench spark reduced (8 cats and dogs, one round): every setting gets a row, each Spark job sees all the images. */
class SparkBenchTest {
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  /** Spark's Jetty needs the servlet 5.0 API, which the spark-bench surefire execution puts in place of serve's 6.0. */
  @BeforeAll
  static void sparkCanStart() {
    boolean servlet5;
    try {
      Class.forName("jakarta.servlet.SingleThreadModel", false, SparkBenchTest.class.getClassLoader());
      servlet5 = true;
    } catch (ClassNotFoundException e) {
      servlet5 = false;
    }
    Assumptions.assumeTrue(servlet5, "servlet 6.0 API (convlens serve's) on the classpath: runs in the spark-bench execution");
  }

  private int run(String... args) {
    CommandLine cl = new CommandLine(new SparkBench());
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    return cl.execute(args);
  }

  @Test
  void everySettingOnceAfterTheWarmUpThenTheTable() {
    Path data = SharedData.require("cats_and_dogs_small/train");
    Path weights = SharedData.require("models/keras-applications/mobilenet_2_5_128_tf.h5");
    Path labels = SharedData.require("imagenet_class_index.json");
    int code = run("--data", data.toString(), "--weights", weights.toString(), "--labels", labels.toString(),
        "--limit", "8", "--batch", "4", "--rounds", "1");
    assertEquals(0, code, err.toString());
    String text = out.toString();
    assertTrue(text.startsWith("spark bench: MobileNet-0.25 at 128, 8 images of " + data), text);
    List<String> settings = List.of("read files    spark local[1]", "read files    plain 1 core",
        "read files    spark local[2]", "read files    plain 2 cores", "predict       spark local[1]", "predict       plain 1 core",
        "predict       spark local[2]", "predict       plain 2 cores", "gradcam-book  spark local[1]",
        "gradcam-book  plain 1 core", "gradcam-book  spark local[2]", "gradcam-book  plain 2 cores");
    for (String s : settings) {
      assertTrue(text.contains("\n" + s + " "), s + " missing from\n" + text);
      assertTrue(err.toString().contains("round 1/1: " + s + " "), s + " has no progress line in\n" + err);
    }
    assertTrue(text.contains("Spark overhead at equal cores") && text.contains("(reading ")
        && text.contains("scaling 1 -> 2 cores"), text);
    // The warm-up's Spark jobs count their output rows: all 8 images, none failed, in the source's own splits.
    for (int cores : SparkBench.CORES) {
      for (String task : List.of("predict      ", "gradcam-book ")) {
        String line = "warm-up: " + task + " spark local[" + cores + "]";
        assertTrue(err.toString().lines().anyMatch(l -> l.startsWith(line)
            && l.matches(".*, 8 rows, 0 errors, [0-9]+ partitions, largest [0-9]+/.*")), line + " in\n" + err);
      }
    }
  }

  @Test
  void aMissingFolderIsNamed(@TempDir Path dir) {
    Path weights = SharedData.require("models/keras-applications/mobilenet_2_5_128_tf.h5");
    Path labels = SharedData.require("imagenet_class_index.json");
    Path none = dir.resolve("none");
    int code = Main.run(new String[] {"bench", "spark", "--data", none.toString(), "--weights", weights.toString(),
        "--labels", labels.toString()}, new PrintWriter(out, true), new PrintWriter(err, true));
    assertEquals(1, code, err.toString());
    assertTrue(err.toString().contains("--data: no folder " + none), err.toString());
  }

  @Test
  void badCountsAreUsageErrors() {
    assertEquals(2, run("--rounds", "0"));
    assertTrue(err.toString().contains("--rounds must be 1 or more, got 0"), err.toString());
    assertEquals(2, run("--limit", "-1"));
    assertTrue(err.toString().contains("--limit must be 1 or more, got -1"), err.toString());
  }
}
