package dev.convlens.server;

import io.prometheus.metrics.config.EscapingScheme;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * The server's metrics in Prometheus' text format (version 0.0.4, what every Prometheus scrapes):
 * requests by route, method and status, request latency and model time as histograms, the
 * inference queue's depth and busy workers. One registry per server, so two servers in one JVM
 * (tests, benchmarks) keep their own counts.
 */
final class ServerMetrics {
  /** Seconds: from 1 ms (a health check) to 30 s (Score-CAM on a big model). */
  private static final double[] BUCKETS = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30};

  private final PrometheusRegistry registry = new PrometheusRegistry();
  private final PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();
  private final Counter requests;
  private final Histogram latency;
  private final Histogram inference;
  private final Counter rejected;

  ServerMetrics(InferencePool pool) {
    requests = Counter.builder().name("convlens_http_requests").help("HTTP requests by route, method and status")
        .labelNames("route", "method", "status").register(registry);
    latency = Histogram.builder().name("convlens_http_request_duration_seconds")
        .help("Time from request to response, by route").labelNames("route").classicOnly().classicUpperBounds(BUCKETS)
        .register(registry);
    inference = Histogram.builder().name("convlens_inference_duration_seconds")
        .help("Time a worker spent on one request's model work (decode, run, render), by model and operation")
        .labelNames("model", "operation").classicOnly().classicUpperBounds(BUCKETS).register(registry);
    rejected = Counter.builder().name("convlens_inference_rejected")
        .help("Model requests refused with 503 because the inference queue was full").register(registry);
    GaugeWithCallback.builder().name("convlens_inference_queue_depth").help("Model requests waiting for a worker")
        .callback(cb -> cb.call(pool.queued())).register(registry);
    GaugeWithCallback.builder().name("convlens_inference_running").help("Model requests a worker is running")
        .callback(cb -> cb.call(pool.running())).register(registry);
  }

  void request(String route, String method, int status, double seconds) {
    requests.labelValues(route, method, Integer.toString(status)).inc();
    latency.labelValues(route).observe(seconds);
  }

  void inference(String model, String operation, double seconds) {
    inference.labelValues(model, operation).observe(seconds);
  }

  void rejected() {
    rejected.inc();
  }

  String contentType() {
    return writer.getContentType();
  }

  byte[] scrape() {
    ByteArrayOutputStream out = new ByteArrayOutputStream(8192);
    try {
      writer.write(out, registry.scrape(), EscapingScheme.ALLOW_UTF8);
    } catch (IOException e) {
      throw new UncheckedIOException(e); // a ByteArrayOutputStream does not fail
    }
    return out.toByteArray();
  }
}
