package dev.convlens.bridge;

import org.tensorflow.Graph;
import org.tensorflow.Session;
import org.tensorflow.proto.ConfigProto;
import org.tensorflow.proto.GraphOptions;
import org.tensorflow.proto.RewriterConfig;

/** Creates sessions from {@link SessionOptions}: the only place a {@code ConfigProto} is built. */
final class Sessions {
  private Sessions() {}

  static Session create(Graph graph, SessionOptions options) {
    if (options.equals(SessionOptions.defaults())) {
      return new Session(graph);
    }
    ConfigProto.Builder config = ConfigProto.newBuilder()
        .setIntraOpParallelismThreads(options.intraOpThreads())
        .setInterOpParallelismThreads(options.interOpThreads());
    if (options.intraOpThreads() > 0 || options.interOpThreads() > 0) {
      // Otherwise the process-wide pools sized by the first session in the JVM are used silently.
      config.setUsePerSessionThreads(true);
    }
    if (!options.graphOptimizations()) {
      config.setGraphOptions(GraphOptions.newBuilder()
          .setRewriteOptions(RewriterConfig.newBuilder().setDisableMetaOptimizer(true)));
    }
    return new Session(graph, config.build());
  }
}
