package dev.convlens.server;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.convlens.bridge.Cancellation;
import dev.convlens.bridge.image.Prediction;
import dev.convlens.visualize.cam.AttributionMethod;
import dev.convlens.visualize.render.Images;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * The HTTP API: model routes hand their work to the {@link InferencePool} and answer when it is
 * done, so Jetty's threads only read and write; everything else answers on the request thread.
 */
final class Routes {
  static final String ROUTE = "convlens.route";
  static final String MODEL_MS = "convlens.modelMs";
  static final String QUEUED_MS = "convlens.queuedMs";

  private final Models models;
  private final InferencePool pool;
  private final ServerMetrics metrics;
  private final ObjectMapper json;
  private final long maxRequestBytes;
  private final Duration requestTimeout;
  private final WebPage page = WebPage.load();

  Routes(Models models, InferencePool pool, ServerMetrics metrics, ObjectMapper json, long maxRequestBytes,
      Duration requestTimeout) {
    this.models = models;
    this.pool = pool;
    this.metrics = metrics;
    this.json = json;
    this.maxRequestBytes = maxRequestBytes;
    this.requestTimeout = requestTimeout;
  }

  void register(JavalinConfig config) {
    get(config, "/", ctx -> page.serve(ctx, "index.html"));
    get(config, "/app.js", ctx -> page.serve(ctx, "app.js"));
    get(config, "/style.css", ctx -> page.serve(ctx, "style.css"));
    get(config, "/health", ctx -> write(ctx, 200, Map.of("status", "ok")));
    get(config, "/ready", this::ready);
    get(config, "/metrics", ctx -> ctx.contentType(metrics.contentType()).result(metrics.scrape()));
    get(config, "/v1/models", ctx -> write(ctx, 200, Map.of("models", models.infos())));
    get(config, "/v1/models/{name}", ctx -> write(ctx, 200, models.get(ctx.pathParam("name")).info()));
    post(config, "/v1/models/{name}/predict", this::predict);
    post(config, "/v1/models/{name}/explain", this::explain);
    post(config, "/v1/models/{name}/activations", this::activations);
  }

  private void ready(Context ctx) {
    Models.State s = models.state();
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("status", s.name().toLowerCase(java.util.Locale.ROOT));
    body.put("models", models.names());
    write(ctx, s == Models.State.READY ? 200 : 503, body);
  }

  private void predict(Context ctx) {
    ServedModel m = models.get(ctx.pathParam("name"));
    ModelInfo info = m.info();
    int top = Requests.intParam(ctx, "top", Math.min(5, info.classes().size()), 1, info.classes().size());
    byte[] image = Requests.image(ctx, maxRequestBytes);
    run(ctx, info.name(), "predict", deadline -> m.predict(image, top), predictions -> {
      Map<String, Object> body = new LinkedHashMap<>();
      body.put("model", info.name());
      body.put("predictions", predictions(predictions));
      write(ctx, 200, body);
    });
  }

  private void explain(Context ctx) {
    ServedModel m = models.get(ctx.pathParam("name"));
    ModelInfo info = m.info();
    String defaultMethod = info.defaultMethod();
    String defaultLayer = info.defaultLayer();
    if (defaultMethod == null || defaultLayer == null) {
      throw ApiException.badRequest("model '" + info.name() + "' cannot be explained: it was loaded for predict only");
    }
    int classIndex = Requests.classIndex(ctx, info.classes());
    AttributionMethod method = Requests.method(ctx, defaultMethod, info.methods());
    String layer = Requests.choice(ctx, "layer", defaultLayer, info.layers());
    String format = Requests.choice(ctx, "format", "json", List.of("json", "png"));
    String map = Requests.choice(ctx, "map", "none", List.of("none", "normalized", "raw"));
    if (format.equals("png") && !map.equals("none")) {
      throw ApiException.badRequest("map=" + map + " returns JSON; leave out format=png");
    }
    byte[] image = Requests.image(ctx, maxRequestBytes);
    run(ctx, info.name(), "explain", deadline -> m.explain(image, classIndex, method, layer, deadline), e -> {
      if (format.equals("png")) {
        ctx.contentType("image/png").result(Images.png(e.overlay()));
        return;
      }
      Map<String, Object> body = new LinkedHashMap<>();
      body.put("model", info.name());
      body.put("method", e.method().cliName());
      body.put("layer", e.layer());
      body.put("target", prediction(e.target(), 0));
      body.put("degenerate", e.heatmap().degenerate());
      body.put("height", e.heatmap().height());
      body.put("width", e.heatmap().width());
      if (map.equals("none")) {
        body.put("overlay", Base64.getEncoder().encodeToString(Images.png(e.overlay())));
      } else {
        body.put("map", map);
        float[] values = (map.equals("raw") ? e.heatmap().raw() : e.heatmap().normalized()).data();
        body.put("values", rows(values, e.heatmap().height(), e.heatmap().width()));
      }
      write(ctx, 200, body);
    });
  }

  private void activations(Context ctx) {
    ServedModel m = models.get(ctx.pathParam("name"));
    ModelInfo info = m.info();
    String defaultLayer = info.defaultActivationLayer();
    if (defaultLayer == null) {
      throw ApiException.badRequest("model '" + info.name() + "' has no convolution or pooling layer to draw");
    }
    String layer = Requests.choice(ctx, "layer", defaultLayer, info.activationLayers());
    byte[] image = Requests.image(ctx, maxRequestBytes);
    run(ctx, info.name(), "activations", deadline -> Images.png(m.activations(image, layer)),
        png -> ctx.header("X-Convlens-Layer", layer).contentType("image/png").result(png));
  }

  /**
   * Runs {@code work} on the pool (503 when its queue is full) and answers with {@code respond}
   * once it is done; rendering the answer (PNG encoding) happens on the worker too. The request's
   * deadline starts now: one that passes while queued gets 503 before any model work.
   */
  private <T> void run(Context ctx, String model, String operation, Function<Cancellation, T> work,
      java.util.function.Consumer<T> respond) {
    long submitted = System.nanoTime();
    Cancellation deadline = Cancellation.after(requestTimeout);
    CompletableFuture<T> done;
    try {
      done = pool.submit(() -> {
        long start = System.nanoTime();
        ctx.attribute(QUEUED_MS, (start - submitted) / 1e6);
        try {
          deadline.check();
          return work.apply(deadline);
        } finally {
          long end = System.nanoTime();
          ctx.attribute(MODEL_MS, (end - start) / 1e6);
          metrics.inference(model, operation, (end - start) / 1e9);
        }
      });
    } catch (ApiException e) {
      if (e.status() == 503) {
        metrics.rejected();
        ctx.header("Retry-After", "1");
      }
      throw e;
    }
    ctx.future(() -> done.thenAccept(respond));
  }

  private static List<Map<String, Object>> predictions(List<Prediction> ps) {
    List<Map<String, Object>> out = new ArrayList<>(ps.size());
    for (int i = 0; i < ps.size(); i++) {
      out.add(prediction(ps.get(i), i + 1));
    }
    return out;
  }

  /** A prediction as JSON; {@code rank} 0 leaves the rank out. */
  private static Map<String, Object> prediction(Prediction p, int rank) {
    Map<String, Object> m = new LinkedHashMap<>();
    if (rank > 0) {
      m.put("rank", rank);
    }
    m.put("index", p.index());
    m.put("label", p.label());
    if (!p.wnid().isEmpty()) {
      m.put("wnid", p.wnid());
    }
    m.put("score", p.score());
    return m;
  }

  private static float[][] rows(float[] values, int h, int w) {
    float[][] out = new float[h][];
    for (int y = 0; y < h; y++) {
      out[y] = java.util.Arrays.copyOfRange(values, y * w, (y + 1) * w);
    }
    return out;
  }



  void write(Context ctx, int status, Object body) {
    try {
      ctx.status(status).contentType("application/json").result(json.writeValueAsBytes(body));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void get(JavalinConfig config, String path, Handler h) {
    config.routes.get(path, tagged(path, h));
  }

  private static void post(JavalinConfig config, String path, Handler h) {
    config.routes.post(path, tagged(path, h));
  }

  /** Records the route pattern (not the path, whose model name varies) for the metrics' labels. */
  private static Handler tagged(String path, Handler h) {
    return ctx -> {
      ctx.attribute(ROUTE, path);
      h.handle(ctx);
    };
  }
}
