/**
 * convlens server: image classifiers over HTTP. {@link dev.convlens.server.ConvlensServer}, built
 * from {@link dev.convlens.server.ServerOptions}, serves one or more models with
 * {@code POST /v1/models/{name}/predict}, {@code /explain} and {@code /activations},
 * {@code GET /v1/models}, {@code /health}, {@code /ready}, {@code /metrics} (Prometheus text) and
 * a page at {@code /} to try a model in a browser.
 *
 * <p>Public types: ConvlensServer, ServerOptions. The HTTP layer (Javalin on Jetty 12) reads
 * requests and writes answers on Jetty's threads; model work runs on a bounded pool
 * ({@code InferencePool}) that refuses with 503 when full. Depends on visualize's
 * {@code ImageClassifier} and tf-bridge's public API only; nothing in the library depends on it.
 */
@NullMarked
package dev.convlens.server;

import org.jspecify.annotations.NullMarked;
