package dev.convlens.cli.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convlens.cli.demo.Shapes;
import dev.convlens.server.ConvlensServer;
import dev.convlens.server.ServerOptions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * {@code bench serve-load} made small: 8 clients, 200 predict + 50 explain with 20% malformed,
 * on the demo model over loopback. Correctness only (no timing): every valid request succeeds,
 * every malformed one gets its 4xx with a JSON error body.
 */
class ServeLoadTest {
  private static final Path DEMO = Path.of("..", "saved_models", "shapes");
  private static final long LIMIT = 64 * 1024;

  @Test
  void validRequestsSucceedAndMalformedOnesGetTheir4xx() throws Exception {
    List<byte[]> images = ServeLoad.demoImages(8);
    List<ServeLoad.Job> jobs = ServeLoad.jobs("shapes", 200, 50, 0.2, images, Shapes.CLASSES, LIMIT, 3);
    assertEquals(250, jobs.size());
    Set<ServeLoad.Kind> kinds = jobs.stream().map(ServeLoad.Job::kind).collect(Collectors.toSet());
    assertTrue(kinds.containsAll(Arrays.asList(ServeLoad.Kind.values())), "every kind of request is in the mix: " + kinds);
    try (ConvlensServer server = new ConvlensServer(ServerOptions.defaults().withPort(0).withMaxRequestBytes(LIMIT)
        .withModel("shapes", DEMO)).start()) {
      ServeLoad.Result r = ServeLoad.run(server.uri(), jobs, 8, Duration.ofMinutes(5));
      assertFalse(r.timedOut());
      assertEquals(250, r.outcomes().size());
      assertEquals(List.of(), r.problems());
      assertEquals(50, r.count(true));
      assertEquals(50, r.malformedAnsweredRight());
      assertEquals(200, r.count(false));
    }
  }

  @Test
  void aWrongAnswerIsAProblem() {
    ServeLoad.Job predict = new ServeLoad.Job(ServeLoad.Kind.PREDICT, "v1/models/shapes/predict", new byte[1]);
    ServeLoad.Job bad = new ServeLoad.Job(ServeLoad.Kind.UNKNOWN_CLASS, "v1/models/shapes/explain?class=x", new byte[1]);
    assertTrue(ServeLoad.check(predict, new FakeResponse(500, "{}")).startsWith("status 500 (expected 200)"));
    assertTrue(ServeLoad.check(predict, new FakeResponse(200, "{\"predictions\":[]}")).startsWith("no predictions"));
    assertEquals(null, ServeLoad.check(predict, new FakeResponse(200, "{\"predictions\":[{\"label\":\"x\"}]}")));
    assertTrue(ServeLoad.check(bad, new FakeResponse(400, "unknown class")).startsWith("body is not JSON"));
    assertTrue(ServeLoad.check(bad, new FakeResponse(400, "{\"error\":\"x\",\"status\":404}")).startsWith("not a JSON error"));
    assertEquals(null, ServeLoad.check(bad, new FakeResponse(400, "{\"error\":\"unknown class\",\"status\":400}")));
  }

  /** Just enough of an HttpResponse for {@link ServeLoad#check}. */
  private record FakeResponse(int statusCode, String text) implements java.net.http.HttpResponse<byte[]> {
    @Override
    public byte[] body() {
      return text.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }

    @Override
    public java.net.http.HttpRequest request() {
      return null;
    }

    @Override
    public java.util.Optional<java.net.http.HttpResponse<byte[]>> previousResponse() {
      return java.util.Optional.empty();
    }

    @Override
    public java.net.http.HttpHeaders headers() {
      return java.net.http.HttpHeaders.of(java.util.Map.of(), (a, b) -> true);
    }

    @Override
    public java.util.Optional<javax.net.ssl.SSLSession> sslSession() {
      return java.util.Optional.empty();
    }

    @Override
    public java.net.URI uri() {
      return null;
    }

    @Override
    public java.net.http.HttpClient.Version version() {
      return java.net.http.HttpClient.Version.HTTP_1_1;
    }
  }
}
