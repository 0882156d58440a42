package dev.convlens.cli;

import dev.convlens.bridge.InvalidInputException;
import dev.convlens.cli.demo.DemoModel;
import dev.convlens.server.ConvlensServer;
import dev.convlens.server.ServerOptions;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.core.config.Configurator;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code convlens serve}: the HTTP server of the convlens-server module, in the foreground until interrupted. */
@Command(name = "serve", mixinStandardHelpOptions = true,
    description = {"Serve image classifiers over HTTP: predictions, explanations and activations as JSON or PNG, "
        + "a page to try them at /, /health, /ready and Prometheus /metrics. Runs until Ctrl-C.",
        "Without --model: the demo model (saved_models/shapes) as 'shapes'.",
        "Example: convlens serve --model cats=ft/model.h5 --port 8080"})
final class ServeCommand implements Callable<Integer> {
  @Option(names = "--model", paramLabel = "NAME=PATH",
      description = "A model to serve as NAME: a Keras file or SavedModel directory with its class names and "
          + "preprocessing recorded beside it (repeatable; default: shapes=<the demo model>).")
  Map<String, Path> models = new LinkedHashMap<>();

  @Option(names = "--host", defaultValue = "127.0.0.1", paramLabel = "ADDR",
      description = "Address to bind (default ${DEFAULT-VALUE}: this machine only; 0.0.0.0 for every interface).")
  String host;

  @Option(names = "--port", defaultValue = "8080", paramLabel = "N", description = "TCP port (default ${DEFAULT-VALUE}; 0: any free one).")
  int port;

  @Option(names = "--max-request-bytes", paramLabel = "N", defaultValue = "" + ServerOptions.DEFAULT_MAX_REQUEST_BYTES,
      description = "Largest request body; larger ones get 413 (default ${DEFAULT-VALUE}).")
  long maxRequestBytes;

  @Option(names = "--workers", paramLabel = "N", description = "Threads running models (default: one per core).")
  Integer workers;

  @Option(names = "--queue", defaultValue = "64", paramLabel = "N",
      description = "Model requests that may wait for a worker; past that 503 (default ${DEFAULT-VALUE}).")
  int queue;

  @Option(names = "--request-timeout", paramLabel = "DURATION", defaultValue = "30s",
      converter = TimeoutOption.Converter.class,
      description = "How long a model request may take from its arrival, queueing included; past it 503, checked "
          + "before every graph run (default ${DEFAULT-VALUE}).")
  Duration requestTimeout;

  @Spec
  CommandSpec spec;

  @Override
  public Integer call() throws InterruptedException {
    ServerOptions options;
    try {
      options = ServerOptions.defaults().withHost(host).withPort(port).withMaxRequestBytes(maxRequestBytes)
          .withQueueCapacity(queue).withRequestTimeout(requestTimeout);
      if (workers != null) {
        options = options.withWorkers(workers);
      }
      Map<String, Path> toServe = models.isEmpty() ? Map.of("shapes", DemoModel.installed()) : models;
      for (Map.Entry<String, Path> m : toServe.entrySet()) {
        options = options.withModel(m.getKey(), m.getValue());
      }
    } catch (InvalidInputException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage());
    }
    // One line per request (method, path, status, times) unless --verbose already logs everything;
    // afterwards the server's loggers follow the root level again (runs inside a longer-lived JVM: tests).
    if (!Main.verbose) {
      Configurator.setLevel("dev.convlens.server", Level.INFO);
    }
    PrintWriter out = spec.commandLine().getOut();
    try (ConvlensServer server = new ConvlensServer(options)) {
      Thread hook = new Thread(server::close, "convlens-serve-shutdown");
      Runtime.getRuntime().addShutdownHook(hook);
      try {
        server.start();
        out.println("convlens serve: " + server.uri() + " (models: " + String.join(", ", options.models().keySet())
            + "); Ctrl-C stops");
        out.flush();
        server.awaitClose();
      } finally {
        removeHook(hook);
      }
    } finally {
      Configurator.setLevel("dev.convlens.server", (Level) null);
    }
    return 0;
  }

  private static void removeHook(Thread hook) {
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException shuttingDown) {
      // the hook is running or has run: nothing to remove
    }
  }
}
