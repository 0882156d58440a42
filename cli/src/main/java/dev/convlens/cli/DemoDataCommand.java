package dev.convlens.cli;

import dev.convlens.bridge.ConvlensException;
import dev.convlens.cli.demo.DemoModel;
import dev.convlens.cli.demo.Shapes;
import dev.convlens.visualize.render.Images;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "demo-data", mixinStandardHelpOptions = true,
    description = {"Write held-out images of the demo model's shapes into class folders, with each object's box in "
        + "boxes.csv (file,left,top,right,bottom): a labeled folder for evaluate and compare-methods, e.g.",
        "  convlens demo-data --out shapes-data && convlens compare-methods --model saved_models/shapes "
            + "--data shapes-data --boxes shapes-data/boxes.csv"})
final class DemoDataCommand implements Callable<Integer> {
  @Option(names = "--out", required = true, paramLabel = "DIR", description = "The folder to write (created).")
  Path out;

  @Option(names = "--count", defaultValue = "200", paramLabel = "N", description = "Images (default ${DEFAULT-VALUE}).")
  int count;

  @Option(names = "--seed", paramLabel = "S",
      description = "Seed of the images (default: the held-out seed, never used in training).")
  long seed = DemoModel.HELD_OUT_SEED;

  @Spec
  picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws IOException {
    if (count < 1) {
      throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--count must be at least 1, got " + count);
    }
    List<String> rows = new ArrayList<>(List.of("file,left,top,right,bottom"));
    for (int i = 0; i < count; i++) {
      Shapes.Sample s = Shapes.sample(seed, i);
      String file = s.className() + "/" + String.format(Locale.ROOT, "%05d.png", i);
      Path target = out.resolve(file);
      Files.createDirectories(target.getParent());
      Images.write(Images.rgb(s.image()), target);
      var b = s.box();
      rows.add(file + "," + b.x + "," + b.y + "," + (b.x + b.width) + "," + (b.y + b.height));
    }
    try {
      Files.write(out.resolve("boxes.csv"), rows);
    } catch (IOException e) {
      throw new ConvlensException("cannot write " + out.resolve("boxes.csv") + ": " + e.getMessage(), e);
    }
    spec.commandLine().getOut().printf(Locale.ROOT, "%d images of %s in %s, boxes in %s%n", count, Shapes.CLASSES, out,
        out.resolve("boxes.csv"));
    return 0;
  }
}
