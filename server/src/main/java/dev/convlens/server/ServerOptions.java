package dev.convlens.server;

import dev.convlens.bridge.InvalidInputException;
import dev.convlens.bridge.image.ImageLimits;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * How a {@link ConvlensServer} listens and what it serves. Start from {@link #defaults()} and use
 * the withers.
 *
 * @param host the address to bind; {@code 127.0.0.1} by default, so nothing outside the machine
 *     reaches the server unless asked for
 * @param port the TCP port; 0 picks a free one ({@link ConvlensServer#port()} tells which)
 * @param models the models to load at start, by the name they are served under (URL-safe:
 *     letters, digits, {@code . _ -}), in the order {@code GET /v1/models} lists them
 * @param maxRequestBytes the largest request body; a larger one is refused with 413 before it is
 *     read to its end (default 16 MiB)
 * @param imageLimits the decoded size an uploaded image may have (default 16 megapixels, about
 *     250 MB per full-size decode, as the README advises a service)
 * @param workers threads running model work (default: the number of cores); HTTP I/O runs on
 *     Jetty's own threads
 * @param queueCapacity model requests that may wait for a worker; past that a request gets 503
 *     with {@code Retry-After} instead of waiting (default 64)
 * @param requestTimeout how long a model request may take from its arrival, queueing included:
 *     past it the request gets 503 before its next graph run (default 30 s; a run that has started
 *     is not cut short)
 */
public record ServerOptions(String host, int port, Map<String, Path> models, long maxRequestBytes,
    ImageLimits imageLimits, int workers, int queueCapacity, Duration requestTimeout) {
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]{1,64}");
  public static final long DEFAULT_MAX_REQUEST_BYTES = 16L << 20;
  public static final long DEFAULT_MAX_PIXELS = 16_000_000;
  public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(30);

  public ServerOptions {
    InvalidInputException.requireNonNull(host, "host");
    if (host.isBlank()) {
      throw new InvalidInputException("host must not be blank");
    }
    if (port < 0 || port > 65535) {
      throw new InvalidInputException("port must be 0..65535 (0: any free port), got " + port);
    }
    InvalidInputException.requireNonNull(models, "models");
    for (Map.Entry<String, Path> e : models.entrySet()) {
      checkName(e.getKey());
      InvalidInputException.requireNonNull(e.getValue(), "the path of model '" + e.getKey() + "'");
    }
    models = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(models));
    if (maxRequestBytes < 1) {
      throw new InvalidInputException("maxRequestBytes must be 1 or more, got " + maxRequestBytes);
    }
    InvalidInputException.requireNonNull(imageLimits, "imageLimits");
    if (workers < 1 || workers > 256) {
      throw new InvalidInputException("workers must be 1..256, got " + workers);
    }
    if (queueCapacity < 0) {
      throw new InvalidInputException("queueCapacity must be 0 or more, got " + queueCapacity);
    }
    InvalidInputException.requireNonNull(requestTimeout, "requestTimeout");
    if (requestTimeout.isNegative() || requestTimeout.isZero()) {
      throw new InvalidInputException("requestTimeout must be positive, got " + requestTimeout);
    }
  }

  /** 127.0.0.1:8080, no models, 16 MiB bodies, 16 megapixel images, a worker per core, 64 waiting, 30 s per request. */
  public static ServerOptions defaults() {
    return new ServerOptions("127.0.0.1", 8080, Map.of(), DEFAULT_MAX_REQUEST_BYTES,
        ImageLimits.defaults().withMaxPixels(DEFAULT_MAX_PIXELS), Runtime.getRuntime().availableProcessors(), 64,
        DEFAULT_REQUEST_TIMEOUT);
  }

  public ServerOptions withHost(String h) {
    return new ServerOptions(h, port, models, maxRequestBytes, imageLimits, workers, queueCapacity, requestTimeout);
  }

  public ServerOptions withPort(int p) {
    return new ServerOptions(host, p, models, maxRequestBytes, imageLimits, workers, queueCapacity, requestTimeout);
  }

  /** Adds (or replaces) a model served as {@code name}, loaded from {@code path} at start. */
  public ServerOptions withModel(String name, Path path) {
    checkName(name);
    Map<String, Path> m = new LinkedHashMap<>(models);
    m.put(name, path);
    return new ServerOptions(host, port, m, maxRequestBytes, imageLimits, workers, queueCapacity, requestTimeout);
  }

  public ServerOptions withMaxRequestBytes(long bytes) {
    return new ServerOptions(host, port, models, bytes, imageLimits, workers, queueCapacity, requestTimeout);
  }

  public ServerOptions withImageLimits(ImageLimits limits) {
    return new ServerOptions(host, port, models, maxRequestBytes, limits, workers, queueCapacity, requestTimeout);
  }

  public ServerOptions withWorkers(int n) {
    return new ServerOptions(host, port, models, maxRequestBytes, imageLimits, n, queueCapacity, requestTimeout);
  }

  public ServerOptions withQueueCapacity(int n) {
    return new ServerOptions(host, port, models, maxRequestBytes, imageLimits, workers, n, requestTimeout);
  }

  public ServerOptions withRequestTimeout(Duration timeout) {
    return new ServerOptions(host, port, models, maxRequestBytes, imageLimits, workers, queueCapacity, timeout);
  }

  static void checkName(String name) {
    InvalidInputException.requireNonNull(name, "model name");
    if (!NAME.matcher(name).matches()) {
      throw new InvalidInputException("model name '" + name + "' must be 1 to 64 letters, digits, '.', '_' or '-'");
    }
  }
}
