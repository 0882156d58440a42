package dev.convlens.cli;

import dev.convlens.bridge.KerasModel;
import dev.convlens.bridge.io.AtomicFiles;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "export", mixinStandardHelpOptions = true,
    description = {"Export a model as a TensorFlow SavedModel (serving signature plus the Keras config, so convlens "
        + "and TensorFlow both load it back).",
        "Example: convlens export --model convnet.h5 --out saved_models/convnet"})
final class ExportCommand implements Callable<Integer> {
  @Mixin
  ModelOptions model;

  @Option(names = "--out", required = true, paramLabel = "DIR", description = "The SavedModel folder, written beside it and moved into place; an earlier export there is "
          + "replaced, any other non-empty folder is refused.")
  Path out;

  @Spec
  picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    try (KerasModel m = model.load(false)) {
      m.exportSavedModel(out);
      Path labels = model.labelsBeside();
      if (labels != null) {
        Path copy = out.resolve(labels.getFileName());
        try {
          AtomicFiles.write(copy, tmp -> Files.copy(labels, tmp, StandardCopyOption.REPLACE_EXISTING));
        } catch (IOException e) {
          throw AtomicFiles.failure(copy, e);
        }
      }
      PrintWriter o = spec.commandLine().getOut();
      o.println("exported " + m.name() + " (" + m.layers().size() + " layers) -> " + out);
      o.flush();
    }
    return 0;
  }
}
