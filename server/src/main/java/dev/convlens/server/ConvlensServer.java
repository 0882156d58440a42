package dev.convlens.server;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.convlens.bridge.CancelledException;
import dev.convlens.bridge.ConvlensException;
import dev.convlens.bridge.InvalidInputException;
import dev.convlens.bridge.ModelClosedException;
import dev.convlens.bridge.image.ImageReadException;
import dev.convlens.visualize.ImageClassifier;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.function.Supplier;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.jspecify.annotations.Nullable;

/**
 * An HTTP server for image classifiers: predictions, explanations and activations as JSON or PNG,
 * a page to try them in a browser, health, readiness and Prometheus metrics. Build it from
 * {@link ServerOptions}, {@link #start()} it, {@link #close()} it:
 *
 * <pre>{@code
 * try (ConvlensServer server = new ConvlensServer(ServerOptions.defaults().withModel("shapes", dir)).start()) {
 *   System.out.println("listening on " + server.uri());
 *   server.awaitClose();
 * }
 * }</pre>
 *
 * <p>Model work runs on {@link ServerOptions#workers()} threads behind a queue of
 * {@link ServerOptions#queueCapacity()}; a request that finds the queue full gets 503 with
 * {@code Retry-After} at once. Bad requests get a 4xx with {@code {"error": "...", "status": n}}.
 * Each request is logged on one line (logger {@code dev.convlens.server.access}, level INFO).
 */
public final class ConvlensServer implements AutoCloseable {
  private static final Logger LOG = LogManager.getLogger(ConvlensServer.class);
  private static final Logger ACCESS = LogManager.getLogger("dev.convlens.server.access");

  /** A model to serve: how to get it, and whether the server closes it. */
  record Source(String name, Supplier<ServedModel> open, boolean owned) {}

  private final ServerOptions options;
  private final List<Source> sources;
  private final ObjectMapper json = new ObjectMapper();
  private final Models models = new Models();
  private final List<ServedModel> owned = new ArrayList<>();
  private final InferencePool pool;
  private final ServerMetrics metrics;
  private final Routes routes;
  private final Object lifecycle = new Object();
  private @Nullable Javalin app;
  private boolean started;
  private boolean closed;

  /** A server for the models {@code options} names; nothing is loaded or bound until {@link #start()}. */
  public ConvlensServer(ServerOptions options) {
    this(options, fromPaths(options));
  }

  /**
   * A server for {@code classifiers}, which the caller owns (the server does not close them), and
   * the models {@code options} names. Each classifier's explainers are prepared at {@link #start()}.
   */
  public ConvlensServer(ServerOptions options, Map<String, ImageClassifier> classifiers) {
    this(options, borrowed(options, classifiers));
  }

  ConvlensServer(ServerOptions options, List<Source> sources) {
    this.options = InvalidInputException.requireNonNull(options, "options");
    this.sources = List.copyOf(sources);
    this.pool = new InferencePool(options.workers(), options.queueCapacity());
    this.metrics = new ServerMetrics(pool);
    this.routes = new Routes(models, pool, metrics, json, options.maxRequestBytes(), options.requestTimeout());
  }

  private static List<Source> borrowed(ServerOptions options, Map<String, ImageClassifier> classifiers) {
    InvalidInputException.requireNonNull(classifiers, "classifiers");
    List<Source> out = new ArrayList<>();
    classifiers.forEach((name, c) -> {
      ServerOptions.checkName(name);
      if (options.models().containsKey(name)) {
        throw new InvalidInputException("model name '" + name + "' is given twice");
      }
      InvalidInputException.requireNonNull(c, "classifier '" + name + "'");
      out.add(new Source(name, () -> ClassifierModel.borrowed(name, c, options.imageLimits()), false));
    });
    out.addAll(fromPaths(options));
    return out;
  }

  private static List<Source> fromPaths(ServerOptions options) {
    List<Source> out = new ArrayList<>();
    options.models().forEach((name, path) -> out.add(new Source(name,
        () -> ClassifierModel.load(name, path, options.imageLimits()), true)));
    return out;
  }

  /**
   * Binds the port, then loads the models (GET /health answers meanwhile, GET /ready says 503
   * until they are all loaded) and returns once they serve. A model that fails to load stops the
   * server and is thrown.
   */
  public ConvlensServer start() {
    synchronized (lifecycle) {
      if (started) {
        throw new IllegalStateException("the server was started already");
      }
      started = true;
      app = Javalin.create(config -> {
        config.jetty.host = options.host();
        config.jetty.port = options.port();
        config.startup.showJavalinBanner = false;
        config.startup.showOldJavalinVersionWarning = false;
        config.http.maxRequestSize = options.maxRequestBytes();
        config.requestLogger.http(this::logged);
        config.routes.exception(Exception.class, (e, ctx) -> error(ctx, e));
        // No route matched: Javalin answers 404 itself; give it the same JSON error body.
        config.routes.error(404, ctx -> {
          if (ctx.attribute(Routes.ROUTE) == null) {
            error(ctx, new ApiException(404, "no such endpoint: " + ctx.method().name() + " " + ctx.path()));
          }
        });
        routes.register(config);
      });
      app.start();
      LOG.info("listening on {}", uri());
    }
    try {
      for (Source s : sources) {
        long t0 = System.nanoTime();
        ServedModel m = s.open().get();
        if (s.owned()) {
          synchronized (lifecycle) {
            owned.add(m);
          }
        }
        models.add(s.name(), m);
        LOG.info("model '{}' ready in {} ms", s.name(), (System.nanoTime() - t0) / 1_000_000);
      }
    } catch (RuntimeException e) {
      close();
      throw e;
    }
    models.state(Models.State.READY);
    return this;
  }

  /** The port the server listens on (the one picked when {@link ServerOptions#port()} was 0). */
  public int port() {
    synchronized (lifecycle) {
      if (app == null) {
        throw new IllegalStateException("the server is not started");
      }
      return app.port();
    }
  }

  /** {@code http://host:port/}. */
  public URI uri() {
    String host = options.host().contains(":") ? "[" + options.host() + "]" : options.host();
    return URI.create("http://" + host + ":" + port() + "/");
  }

  /** True once every model is loaded, until {@link #close()}. */
  public boolean isReady() {
    return models.state() == Models.State.READY;
  }

  /** Stops taking requests, lets those accepted finish (up to 30 s), and closes the models the server loaded. Idempotent. */
  @Override
  public void close() {
    List<ServedModel> toClose;
    synchronized (lifecycle) {
      if (closed) {
        return;
      }
      closed = true;
      lifecycle.notifyAll();
      models.state(Models.State.STOPPING);
      toClose = List.copyOf(owned);
    }
    try {
      if (app != null) {
        app.stop();
      }
    } finally {
      pool.close();
      for (ServedModel m : toClose) {
        m.close();
      }
    }
  }

  /** Blocks until another thread closes the server (the command line's foreground mode). */
  public void awaitClose() throws InterruptedException {
    synchronized (lifecycle) {
      while (!closed) {
        lifecycle.wait(1000);
      }
    }
  }

  private void logged(Context ctx, Float ms) {
    String route = ctx.attribute(Routes.ROUTE);
    int status = ctx.statusCode();
    metrics.request(route == null ? "unmatched" : route, ctx.method().name(), status, ms / 1000.0);
    if (!ACCESS.isInfoEnabled()) {
      return;
    }
    Double model = ctx.attribute(Routes.MODEL_MS);
    Double queued = ctx.attribute(Routes.QUEUED_MS);
    if (model != null) {
      ACCESS.info(String.format(Locale.ROOT, "%s %s %d %.1f ms (model %.1f ms, queued %.1f ms)", ctx.method().name(),
          ctx.path(), status, ms, model, queued == null ? 0.0 : queued));
    } else {
      ACCESS.info(String.format(Locale.ROOT, "%s %s %d %.1f ms", ctx.method().name(), ctx.path(), status, ms));
    }
  }

  /** Every failure as a JSON error: 4xx for what the request got wrong, 503 for overload, 500 only for our bugs. */
  private void error(Context ctx, Exception thrown) {
    Throwable e = thrown instanceof CompletionException && thrown.getCause() != null ? thrown.getCause() : thrown;
    int status;
    String message;
    if (e instanceof ApiException a) {
      status = a.status();
      message = a.getMessage();
    } else if (e instanceof HttpResponseException h) {
      status = h.getStatus();
      message = status == 404 ? "no such endpoint: " + ctx.method().name() + " " + ctx.path() : h.getMessage();
    } else if (e instanceof ImageReadException) {
      status = 415;
      message = "the request body is not an image convlens decodes (PNG, JPEG, GIF, BMP within the size limits): "
          + e.getMessage();
    } else if (e instanceof CancelledException) {
      status = 503;
      message = "the request took longer than the server's limit (" + e.getMessage() + "); retry later";
    } else if (e instanceof ModelClosedException) {
      status = 503;
      message = "the server is shutting down";
    } else if (e instanceof InvalidInputException) {
      status = 400;
      message = e.getMessage();
    } else {
      status = 500;
      message = "internal error: " + (e instanceof ConvlensException ? e.getMessage() : e.getClass().getSimpleName());
      LOG.error("{} {} failed", ctx.method().name(), ctx.path(), e);
    }
    if (status == 503 && ctx.res().getHeader("Retry-After") == null) {
      ctx.header("Retry-After", "1");
    }
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("error", message);
    body.put("status", status);
    routes.write(ctx, status, body);
  }
}
