package dev.convlens.cli;

import dev.convlens.bridge.KerasModel;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "summary", mixinStandardHelpOptions = true,
    description = "Print the Keras-style model summary: layers, output shapes, parameter counts.")
final class SummaryCommand implements Callable<Integer> {
  @Mixin
  ModelOptions model;

  @Option(names = "--expand-nested", description = "List the layers inside nested models.")
  boolean expandNested;

  @Spec
  picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    try (KerasModel m = model.load(true)) {
      spec.commandLine().getOut().print(m.summary(expandNested));
      spec.commandLine().getOut().flush();
    }
    return 0;
  }
}
