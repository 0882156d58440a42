package dev.convlens.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.awt.image.BufferedImage;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The HTTP contract on a model without TensorFlow: answers, 4xx errors with JSON bodies, 503 when full, readiness, metrics. */
class ServerApiTest {
  private static final byte[] IMAGE = TestImages.png(TestImages.triangle(32));
  private ConvlensServer server;

  @AfterEach
  void stop() {
    if (server != null) {
      server.close();
    }
  }

  private Http start(FakeModel model, ServerOptions options) {
    server = new ConvlensServer(options.withPort(0), List.of(new ConvlensServer.Source("fake", () -> model, true)));
    server.start();
    return new Http(server.uri());
  }

  private Http start(FakeModel model) {
    return start(model, ServerOptions.defaults().withMaxRequestBytes(100_000));
  }

  private static void assertError(HttpResponse<byte[]> r, int status, String containing) {
    assertEquals(status, r.statusCode(), () -> new String(r.body(), StandardCharsets.UTF_8));
    assertTrue(r.headers().firstValue("content-type").orElse("").startsWith("application/json"));
    JsonNode body = Http.json(r);
    assertEquals(status, body.get("status").asInt());
    assertTrue(body.get("error").asText().contains(containing), body.get("error").asText());
  }

  @Test
  void predictAnswersTheTopClassesBestFirst() {
    Http http = start(new FakeModel(true));
    JsonNode body = Http.json(http.post("v1/models/fake/predict?top=3", IMAGE));
    assertEquals("fake", body.get("model").asText());
    JsonNode p = body.get("predictions");
    assertEquals(3, p.size());
    assertEquals("triangle", p.get(0).get("label").asText());
    assertEquals(3, p.get(0).get("index").asInt());
    assertEquals(1, p.get(0).get("rank").asInt());
    assertEquals(0.7, p.get(0).get("score").asDouble(), 1e-6);
    assertEquals("square", p.get(1).get("label").asText());
    assertEquals("circle", p.get(2).get("label").asText());
    assertEquals(4, Http.json(http.post("v1/models/fake/predict", IMAGE)).get("predictions").size(),
        "default top 5, capped at the class count");
  }

  @Test
  void explainAnswersTheOverlayAsBase64PngOrPngOrTheMap() {
    Http http = start(new FakeModel(true));
    JsonNode body = Http.json(http.post("v1/models/fake/explain?class=cross&method=scorecam&layer=conv1", IMAGE));
    assertEquals("cross", body.get("target").get("label").asText());
    assertEquals(1, body.get("target").get("index").asInt());
    assertEquals("scorecam", body.get("method").asText());
    assertEquals("conv1", body.get("layer").asText());
    BufferedImage overlay = TestImages.decode(Base64.getDecoder().decode(body.get("overlay").asText()));
    assertEquals(32, overlay.getWidth());
    assertEquals(0xff0000, overlay.getRGB(16 + 4, 4) & 0xffffff, "class 1: the fake's top right quarter is red");

    HttpResponse<byte[]> png = http.post("v1/models/fake/explain?class=3&format=png", IMAGE);
    assertEquals("image/png", png.headers().firstValue("content-type").orElse(""));
    assertEquals(0xff0000, TestImages.decode(png.body()).getRGB(20, 20) & 0xffffff);

    JsonNode raw = Http.json(http.post("v1/models/fake/explain?class=2&map=raw", IMAGE));
    assertEquals("raw", raw.get("map").asText());
    assertEquals(2, raw.get("height").asInt());
    assertEquals(-0.5, raw.get("values").get(1).get(1).asDouble(), 1e-6);
    assertEquals(1.0, raw.get("values").get(1).get(0).asDouble(), 1e-6);
    JsonNode top = Http.json(http.post("v1/models/fake/explain?map=normalized", IMAGE));
    assertEquals("triangle", top.get("target").get("label").asText(), "no class: the top one");
    assertEquals("gradcam", top.get("method").asText());
    assertEquals("conv2", top.get("layer").asText());
  }

  @Test
  void activationsAnswerAPng() {
    Http http = start(new FakeModel(true));
    HttpResponse<byte[]> r = http.post("v1/models/fake/activations?layer=conv1", IMAGE);
    assertEquals(200, r.statusCode());
    assertEquals(16, TestImages.decode(r.body()).getWidth());
    assertEquals("conv1", r.headers().firstValue("X-Convlens-Layer").orElse(""));
  }

  @Test
  void badRequestsGetA4xxWithAJsonError() {
    FakeModel model = new FakeModel(true);
    Http http = start(model);
    assertError(http.post("v1/models/nope/predict", IMAGE), 404, "no model named 'nope'; this server has fake");
    assertError(http.post("v1/models/fake/explain?class=hexagon", IMAGE), 400, "unknown class 'hexagon'");
    assertError(http.post("v1/models/fake/explain?class=4", IMAGE), 400, "class index 4 is out of range");
    assertError(http.post("v1/models/fake/explain?method=magic", IMAGE), 400, "unknown method 'magic'");
    assertError(http.post("v1/models/fake/explain?layer=dense", IMAGE), 400, "unknown layer 'dense'");
    assertError(http.post("v1/models/fake/explain?format=gif", IMAGE), 400, "unknown format 'gif'");
    assertError(http.post("v1/models/fake/predict?top=0", IMAGE), 400, "'top' must be an integer in 1..4");
    assertError(http.post("v1/models/fake/predict?top=x", IMAGE), 400, "'top' must be an integer");
    assertError(http.post("v1/models/fake/activations?layer=x", IMAGE), 400, "unknown layer 'x'");
    int before = model.calls.get();
    assertEquals(before, model.calls.get(), "parameters are checked before the model is called");
    assertError(http.post("v1/models/fake/predict", "hello".getBytes(StandardCharsets.UTF_8)), 415,
        "not an image");
    assertError(http.post("v1/models/fake/predict", new byte[0]), 400, "empty request body");
    assertError(http.post("v1/models/fake/predict", new byte[100_001]), 413, "larger than the limit of 100000 bytes");
    assertError(http.send(HttpRequest.newBuilder(server.uri().resolve("v1/models/fake/predict"))
        .header("Content-Type", "multipart/form-data; boundary=x").POST(HttpRequest.BodyPublishers.ofByteArray(IMAGE))),
        415, "not a multipart form");
    assertError(http.get("v1/nothing"), 404, "no such endpoint: GET /v1/nothing");
    assertError(http.get("v1/models/fake/predict"), 404, "no such endpoint");
    assertEquals(200, http.post("v1/models/fake/predict", IMAGE).statusCode(), "still serving after all that");
  }

  @Test
  void aBodyWithoutLengthIsCutAtTheLimit() {
    Http http = start(new FakeModel(true));
    // A streamed body: no Content-Length, so the server has to count while it reads.
    byte[] big = new byte[300_000];
    HttpResponse<byte[]> r = http.send(HttpRequest.newBuilder(server.uri().resolve("v1/models/fake/predict"))
        .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new java.io.ByteArrayInputStream(big))));
    assertError(r, 413, "more than 100000 bytes");
  }

  @Test
  void aFullQueueIs503WithRetryAfterNotAWait() throws Exception {
    FakeModel model = new FakeModel(false);
    Http http = start(model, ServerOptions.defaults().withWorkers(1).withQueueCapacity(1));
    // One call runs (held at the gate), one waits in the queue; the third finds no room.
    CompletableFuture<HttpResponse<byte[]>> first = CompletableFuture.supplyAsync(() -> http.post("v1/models/fake/predict", IMAGE));
    waitFor(() -> model.calls.get() == 1);
    CompletableFuture<HttpResponse<byte[]>> second = CompletableFuture.supplyAsync(() -> http.post("v1/models/fake/predict", IMAGE));
    waitFor(() -> metric(http, "convlens_inference_queue_depth ") == 1);
    HttpResponse<byte[]> third = http.post("v1/models/fake/predict", IMAGE);
    assertError(third, 503, "overloaded");
    assertEquals("1", third.headers().firstValue("Retry-After").orElse(""));
    model.gate.countDown();
    assertEquals(200, first.get(30, TimeUnit.SECONDS).statusCode());
    assertEquals(200, second.get(30, TimeUnit.SECONDS).statusCode());
    assertEquals(1, metric(http, "convlens_inference_rejected_total "));
  }

  @Test
  void aRequestWhoseDeadlinePassesInTheQueueIs503WithoutModelWork() throws Exception {
    FakeModel model = new FakeModel(false);
    Http http = start(model, ServerOptions.defaults().withWorkers(1).withQueueCapacity(1)
        .withRequestTimeout(java.time.Duration.ofMillis(200)));
    CompletableFuture<HttpResponse<byte[]>> first = CompletableFuture.supplyAsync(() -> http.post("v1/models/fake/predict", IMAGE));
    waitFor(() -> model.calls.get() == 1);
    CompletableFuture<HttpResponse<byte[]>> second = CompletableFuture.supplyAsync(() -> http.post("v1/models/fake/explain", IMAGE));
    waitFor(() -> metric(http, "convlens_inference_queue_depth ") == 1);
    Thread.sleep(400); // past the second request's 200 ms while it waits behind the first
    model.gate.countDown();
    assertEquals(200, first.get(30, TimeUnit.SECONDS).statusCode(), "the first started in time and runs to its end");
    HttpResponse<byte[]> late = second.get(30, TimeUnit.SECONDS);
    assertError(late, 503, "longer than the server's limit");
    assertEquals(1, model.calls.get(), "the late request never reached the model");
  }

  @Test
  void readyOnlyOnceTheModelsAreLoaded() throws Exception {
    CountDownLatch loaded = new CountDownLatch(1);
    server = new ConvlensServer(ServerOptions.defaults().withPort(0), List.of(new ConvlensServer.Source("fake", () -> {
      try {
        loaded.await(30, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return new FakeModel(true);
    }, true)));
    CompletableFuture<ConvlensServer> starting = CompletableFuture.supplyAsync(server::start);
    waitFor(() -> portOf(server) > 0);
    Http http = new Http(server.uri());
    assertEquals(200, http.get("health").statusCode());
    HttpResponse<byte[]> notYet = http.get("ready");
    assertEquals(503, notYet.statusCode());
    assertEquals("loading", Http.json(notYet).get("status").asText());
    assertError(http.post("v1/models/fake/predict", IMAGE), 503, "still loading");
    loaded.countDown();
    starting.get(30, TimeUnit.SECONDS);
    HttpResponse<byte[]> ready = http.get("ready");
    assertEquals(200, ready.statusCode());
    assertEquals("fake", Http.json(ready).get("models").get(0).asText());
  }

  @Test
  void modelsListsTheirClassesLayersAndMethods() {
    Http http = start(new FakeModel(true));
    JsonNode m = Http.json(http.get("v1/models")).get("models").get(0);
    assertEquals("fake", m.get("name").asText());
    assertEquals(4, m.get("classes").size());
    assertEquals("conv2", m.get("defaultLayer").asText());
    assertEquals("gradcam", m.get("methods").get(0).asText());
    assertEquals(8, m.get("height").asInt());
  }

  @Test
  void metricsCountRequestsByRouteAndStatus() {
    Http http = start(new FakeModel(true));
    http.post("v1/models/fake/predict", IMAGE);
    http.post("v1/models/fake/predict", IMAGE);
    http.post("v1/models/fake/predict?top=9", IMAGE);
    HttpResponse<byte[]> r = http.get("metrics");
    String text = new String(r.body(), StandardCharsets.UTF_8);
    assertTrue(r.headers().firstValue("content-type").orElse("").startsWith("text/plain; version=0.0.4"), text);
    assertTrue(text.contains("convlens_http_requests_total{method=\"POST\",route=\"/v1/models/{name}/predict\",status=\"200\"} 2.0"), text);
    assertTrue(text.contains("convlens_http_requests_total{method=\"POST\",route=\"/v1/models/{name}/predict\",status=\"400\"} 1.0"), text);
    assertTrue(text.contains("convlens_inference_duration_seconds_count{model=\"fake\",operation=\"predict\"} 2"), text);
    assertTrue(text.contains("convlens_http_request_duration_seconds_bucket{route=\"/v1/models/{name}/predict\",le=\"+Inf\"} 3"), text);
  }

  @Test
  void closeClosesTheModelsItLoadedAndIsIdempotent() {
    FakeModel model = new FakeModel(true);
    Http http = start(model);
    assertEquals(200, http.get("health").statusCode());
    server.close();
    server.close();
    assertTrue(model.closed.get());
    FakeModel borrowed = new FakeModel(true);
    try (ConvlensServer s = new ConvlensServer(ServerOptions.defaults().withPort(0),
        List.of(new ConvlensServer.Source("b", () -> borrowed, false))).start()) {
      assertTrue(s.isReady());
    }
    assertFalse(borrowed.closed.get(), "a model the caller owns stays open");
  }

  @Test
  void thePageAndItsFilesAreServed() {
    Http http = start(new FakeModel(true));
    HttpResponse<byte[]> page = http.get("");
    assertTrue(new String(page.body(), StandardCharsets.UTF_8).contains("<script src=\"app.js\">"));
    assertTrue(page.headers().firstValue("content-type").orElse("").startsWith("text/html"));
    assertEquals(200, http.get("app.js").statusCode());
    assertEquals(200, http.get("style.css").statusCode());
  }

  private static int portOf(ConvlensServer s) {
    try {
      return s.port();
    } catch (IllegalStateException e) {
      return -1;
    }
  }

  private static double metric(Http http, String prefix) {
    for (String line : new String(http.get("metrics").body(), StandardCharsets.UTF_8).split("\n")) {
      if (line.startsWith(prefix)) {
        return Double.parseDouble(line.substring(prefix.length()).trim());
      }
    }
    return Double.NaN;
  }

  private static void waitFor(java.util.function.BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("condition not met in 30 s");
      }
      Thread.sleep(10);
    }
  }
}
