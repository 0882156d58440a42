package dev.convlens.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.Logger;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.Property;
import org.junit.jupiter.api.Test;

/** One log line per request: method, path, status and time, and for model work the model's and the queue's share. */
class AccessLogTest {
  private static final class Lines extends AbstractAppender {
    final List<String> lines = new CopyOnWriteArrayList<>();

    Lines() {
      super("lines", null, null, true, Property.EMPTY_ARRAY);
    }

    @Override
    public void append(LogEvent event) {
      lines.add(event.getMessage().getFormattedMessage());
    }
  }

  @Test
  void everyRequestIsOneLineWithItsTimings() {
    Logger access = (Logger) LogManager.getLogger("dev.convlens.server.access");
    Lines appender = new Lines();
    appender.start();
    Level before = access.getLevel();
    access.addAppender(appender);
    access.setLevel(Level.INFO);
    try (ConvlensServer server = new ConvlensServer(ServerOptions.defaults().withPort(0),
        List.of(new ConvlensServer.Source("fake", () -> new FakeModel(true), true))).start()) {
      Http http = new Http(server.uri());
      http.post("v1/models/fake/predict", TestImages.png(TestImages.triangle(16)));
      http.post("v1/models/fake/explain?class=nope", new byte[] {1});
      http.get("health");
      waitForLines(appender, 3);
    } finally {
      access.removeAppender(appender);
      access.setLevel(before);
    }
    List<String> lines = appender.lines;
    assertEquals(3, lines.size(), lines.toString());
    // Each line is written once its answer is out, so their order can differ from the requests'.
    String ms = "\\d+\\.\\d ms";
    for (String pattern : List.of("POST /v1/models/fake/predict 200 " + ms + " \\(model " + ms + ", queued " + ms + "\\)",
        "POST /v1/models/fake/explain 400 \\d+\\.\\d ms", "GET /health 200 \\d+\\.\\d ms")) {
      assertTrue(lines.stream().anyMatch(l -> l.matches(pattern)), pattern + " in " + lines);
    }
  }

  /** The request logger runs after the answer is written, so the client can be a moment ahead of it. */
  private static void waitForLines(Lines appender, int n) {
    long deadline = System.nanoTime() + 10_000_000_000L;
    while (appender.lines.size() < n && System.nanoTime() < deadline) {
      try {
        Thread.sleep(5);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }
}
