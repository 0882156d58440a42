package dev.convlens.cli;

import dev.convlens.bridge.ConvlensException;
import dev.convlens.bridge.UnsupportedLayerException;
import java.io.PrintWriter;
import java.util.Objects;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.core.config.Configurator;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** The {@code convlens} command: exit code 0 ok, 1 failure, 2 usage error. */
@Command(name = "convlens", mixinStandardHelpOptions = true, version = "convlens 0.1.0",
    description = "See inside Keras-trained convnets: summaries, predictions, activations, heatmaps.",
    subcommands = {SummaryCommand.class, LayersCommand.class, PredictCommand.class, ActivationsCommand.class, FiltersCommand.class, FeaturesCommand.class,
        GradcamCommand.class, FinetuneCommand.class, EvaluateCommand.class, BenchCommand.class, DemoModelCommand.class, ReportCommand.class, ExportCommand.class,
        ServeCommand.class, CompareMethodsCommand.class, DemoDataCommand.class,
        CommandLine.HelpCommand.class})
public final class Main {
  @Option(names = "--verbose", scope = CommandLine.ScopeType.INHERIT,
      description = "Log details and print stack traces on errors.")
  static boolean verbose;

  public static void main(String[] args) {
    System.exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
  }

  /** Runs the command line with the given streams; returns the exit code. */
  public static int run(String[] args, PrintWriter out, PrintWriter err) {
    CommandLine cl = new CommandLine(new Main());
    cl.setOut(out);
    cl.setErr(err);
    cl.setExecutionStrategy(parsed -> {
      Configurator.setRootLevel(verbose ? Level.DEBUG : Level.WARN);
      return new CommandLine.RunLast().execute(parsed);
    });
    cl.setExecutionExceptionHandler((e, commandLine, parsed) -> {
      if (verbose) {
        e.printStackTrace(err);
        if (e instanceof UnsupportedLayerException u && !u.layerConfig().isEmpty()) {
          err.println("the layer's config: " + u.layerConfig());
        }
      } else {
        err.println("convlens: " + message(e));
      }
      return 1;
    });
    return cl.execute(args);
  }

  private static String message(Throwable e) {
    if (e instanceof ConvlensException || e instanceof IllegalArgumentException) {
      return Objects.toString(e.getMessage(), e.getClass().getSimpleName());
    }
    return e.getClass().getSimpleName() + ": " + e.getMessage() + " (run with --verbose for details)";
  }
}
