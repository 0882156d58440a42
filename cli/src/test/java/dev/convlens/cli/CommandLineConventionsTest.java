package dev.convlens.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** What every subcommand shares: --help, exit codes 0/1/2, one-line errors; and `export` on the demo model. */
class CommandLineConventionsTest {
  @TempDir Path tmp;

  private static CliRun run(String... args) {
    return CliRun.of(args);
  }

  @Test
  void everySubcommandHasHelpAndRejectsUnknownOptions() {
    var names = new CommandLine(new Main()).getSubcommands().keySet();
    for (String name : names) {
      if (name.equals("help")) {
        continue;
      }
      CliRun help = run(name, "--help");
      assertEquals(0, help.code(), name + " --help: " + help.err());
      assertTrue(help.out().contains("Usage: convlens " + name), name + ": " + help.out());
      CliRun bad = run(name, "--no-such-option");
      assertEquals(2, bad.code(), name + " with an unknown option");
    }
    assertTrue(names.containsAll(java.util.List.of("summary", "predict", "activations", "filters", "gradcam", "finetune",
        "export", "report", "demo-model")), names.toString());
  }

  @Test
  void failuresAreOneLineWithoutAStackTraceUnlessVerbose() throws Exception {
    Path bad = Files.writeString(tmp.resolve("bad.h5"), "not a model");
    for (String[] args : new String[][] {{"summary", "--model", bad.toString()},
        {"export", "--model", bad.toString(), "--out", tmp.resolve("x").toString()},
        {"report", "--model", bad.toString(), "--image", bad.toString(), "--out", tmp.resolve("r").toString()}}) {
      CliRun r = run(args);
      assertEquals(1, r.code(), args[0]);
      String last = r.err().strip().lines().reduce((a, b) -> b).orElse("");
      assertTrue(last.startsWith("convlens: ") && last.contains("bad.h5"), args[0] + ": " + r.err());
      assertFalse(r.err().contains("\tat "), "no stack trace: " + r.err());
    }
    CliRun verbose = run("summary", "--model", bad.toString(), "--verbose");
    assertEquals(1, verbose.code());
    assertTrue(verbose.err().contains("\tat "), "stack trace with --verbose");
  }

  @Test
  void exportWritesASavedModelThatLoadsBackWithTheSamePredictions() throws Exception {
    Path out = tmp.resolve("shapes");
    CliRun r = run("export", "--model", "../saved_models/shapes", "--out", out.toString());
    assertEquals(0, r.code(), r.err());
    assertTrue(Files.isRegularFile(out.resolve("saved_model.pb")));
    assertTrue(Files.isRegularFile(out.resolve("labels.txt")), "class names travel with the model");
    Path image = tmp.resolve("triangle.png");
    dev.convlens.visualize.render.Images.write(dev.convlens.visualize.render.Images.rgb(
        dev.convlens.cli.demo.Shapes.sample(5, 3).image()), image);
    CliRun a = run("predict", "--model", "../saved_models/shapes", "--image", image.toString());
    CliRun b = run("predict", "--model", out.toString(), "--image", image.toString());
    assertEquals(0, a.code(), a.err());
    assertEquals(a.out(), b.out());
    assertTrue(a.out().startsWith("1. triangle (3)"), a.out());
  }
}
