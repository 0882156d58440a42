package dev.convlens.server;

import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.Map;

/**
 * The page a person uses to try a model: three files from the classpath, read once per server.
 * Nothing comes from a CDN, so it works offline.
 */
final class WebPage {
  private static final String ROOT = "/dev/convlens/server/web/";
  private static final Map<String, String> TYPES = Map.of("index.html", "text/html; charset=utf-8",
      "app.js", "text/javascript; charset=utf-8", "style.css", "text/css; charset=utf-8");

  private final Map<String, byte[]> files;

  private WebPage(Map<String, byte[]> files) {
    this.files = files;
  }

  static WebPage load() {
    Map<String, byte[]> files = new HashMap<>();
    for (String name : TYPES.keySet()) {
      try (InputStream in = WebPage.class.getResourceAsStream(ROOT + name)) {
        if (in == null) {
          throw new IllegalStateException("resource " + ROOT + name + " is missing from the convlens-server jar");
        }
        files.put(name, in.readAllBytes());
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return new WebPage(Map.copyOf(files));
  }

  void serve(Context ctx, String name) {
    ctx.header("Cache-Control", "no-cache").contentType(TYPES.get(name)).result(files.get(name));
  }
}
