package dev.convlens.cli;

import dev.convlens.bridge.InvalidInputException;
import dev.convlens.cli.demo.DemoModel;
import dev.convlens.cli.demo.Shapes;
import dev.convlens.finetune.training.Evaluation;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "demo-model", mixinStandardHelpOptions = true,
    description = {"Rebuild the embedded demo model: train the small shapes convnet (circle, cross, square, triangle "
        + "on textured backgrounds, generated from the seed) and export it as a SavedModel.",
        "The same seed gives the same model; about a minute or two on 2 cores."})
final class DemoModelCommand implements Callable<Integer> {
  static final Path DEFAULT_OUT = Path.of("saved_models", "shapes");

  @Option(names = "--seed", defaultValue = "1", paramLabel = "S",
      description = "Seed of the dataset, the initial weights and the shuffling (default ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--out", paramLabel = "DIR", description = "SavedModel folder (default ${DEFAULT-VALUE}; replaced).")
  Path out = DEFAULT_OUT;

  @Spec
  picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws java.io.IOException {
    // Fail before the minute of training when the folder cannot be written.
    Path parent = out.toAbsolutePath().getParent();
    try {
      java.nio.file.Files.createDirectories(parent);
    } catch (java.io.IOException e) {
      throw new InvalidInputException("--out " + out + ": cannot create " + parent + " (" + e.getMessage() + ")");
    }
    if (!java.nio.file.Files.isWritable(parent)) {
      throw new InvalidInputException("--out " + out + ": cannot write in " + parent);
    }
    PrintWriter err = spec.commandLine().getErr();
    PrintWriter stdout = spec.commandLine().getOut();
    err.printf(Locale.ROOT, "training on %d generated images of %s (seed %d), validating on %d%n",
        DemoModel.TRAIN_IMAGES, Shapes.CLASSES, seed, DemoModel.VALIDATION_IMAGES);
    err.flush();
    long start = System.nanoTime();
    DemoModel.Built b = DemoModel.build(seed, out, new ProgressBar(err));
    Evaluation v = b.validation();
    DemoModel.HeldOut h = b.heldOut();
    stdout.printf(Locale.ROOT, "val_accuracy %.4f val_loss %.4f (%d images) in %.0f s -> %s%n", v.accuracy(), v.loss(),
        v.samples(), (System.nanoTime() - start) / 1e9, out);
    stdout.printf(Locale.ROOT, "held-out (%d images): accuracy %.4f, Grad-CAM maximum inside the box %.4f%n", h.images(),
        h.accuracy(), h.camInBox());
    stdout.flush();
    return 0;
  }
}
