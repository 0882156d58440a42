package dev.convlens.bridge.applications;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;

/** Downloads with the JDK HTTP client, following redirects; anything but HTTP 200 is an error. */
final class HttpDownloader implements Downloader {
  @Override
  public void download(URI from, Path to) throws IOException, InterruptedException {
    // Built per download, not per cache: most caches never download, and a client owns threads.
    HttpClient client = HttpClient.newBuilder()
        .followRedirects(HttpClient.Redirect.NORMAL)
        .connectTimeout(Duration.ofSeconds(30))
        .build();
    HttpRequest request = HttpRequest.newBuilder(from).GET().build();
    HttpResponse<Path> response = client.send(request,
        HttpResponse.BodyHandlers.ofFile(to, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING));
    if (response.statusCode() != 200) {
      throw new IOException("HTTP status " + response.statusCode() + " for " + from);
    }
  }
}
