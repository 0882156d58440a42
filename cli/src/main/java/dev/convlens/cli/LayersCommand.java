package dev.convlens.cli;

import dev.convlens.bridge.graph.LayerRegistry;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Spec;

@Command(name = "layers", mixinStandardHelpOptions = true,
    description = "List the Keras layer classes convlens rebuilds, with what each supports. Other classes"
        + " (custom layers, Lambda) load once a Java rebuild is registered (LayerRegistry.register).")
final class LayersCommand implements Callable<Integer> {
  @Spec
  picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    for (LayerRegistry.Description d : LayerRegistry.describe()) {
      String traits = d.traits().stream().map(t -> t.name().toLowerCase(Locale.ROOT).replace('_', '-'))
          .collect(Collectors.joining(","));
      out.printf(Locale.ROOT, "%-26s %-36s %s%n", d.className(), traits.isEmpty() ? "-" : traits, d.notes());
    }
    out.flush();
    return 0;
  }
}
