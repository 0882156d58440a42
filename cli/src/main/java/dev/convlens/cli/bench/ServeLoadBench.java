package dev.convlens.cli.bench;

import dev.convlens.cli.demo.DemoModel;
import dev.convlens.cli.demo.Shapes;
import dev.convlens.server.ConvlensServer;
import dev.convlens.server.ServerOptions;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code convlens bench serve-load}: the server under concurrent clients on loopback. Starts
 * {@code convlens serve} in-process on the demo model (127.0.0.1, a free port), warms it up, then
 * runs the request list twice: all valid, then with a share of malformed requests. Prints per run
 * the errors, the 4xx answers to the malformed requests, p50/p99 latency, throughput and the
 * process's RSS before and after.
 */
@Command(name = "serve-load", mixinStandardHelpOptions = true,
    description = {"Load test of convlens serve on the demo model, in-process on 127.0.0.1: concurrent clients send "
        + "predict and explain requests, first all valid, then with a share of malformed ones.",
        "Prints errors, malformed requests answered 4xx with a JSON error, p50/p99 latency, throughput, RSS growth."})
public final class ServeLoadBench implements Callable<Integer> {
  @Option(names = "--clients", defaultValue = "8", paramLabel = "N", description = "Concurrent clients (default ${DEFAULT-VALUE}).")
  int clients;

  @Option(names = "--predict", defaultValue = "2000", paramLabel = "N", description = "Predict requests per run (default ${DEFAULT-VALUE}).")
  int predicts;

  @Option(names = "--explain", defaultValue = "500", paramLabel = "N", description = "Explain requests per run (default ${DEFAULT-VALUE}).")
  int explains;

  @Option(names = "--malformed", defaultValue = "20", paramLabel = "PERCENT",
      description = "Share of malformed requests in the second run (default ${DEFAULT-VALUE}).")
  int malformedPercent;

  @Option(names = "--warmup", defaultValue = "2500", paramLabel = "N",
      description = "Requests (a fifth of them malformed) before RSS is first read (default ${DEFAULT-VALUE}).")
  int warmup;

  @Option(names = "--time-limit", defaultValue = "900", paramLabel = "SECONDS",
      description = "Each run stops after this long even if requests are left (default ${DEFAULT-VALUE}).")
  int timeLimit;

  @Option(names = "--seed", defaultValue = "7", paramLabel = "S", description = "Order and mix of the requests (default ${DEFAULT-VALUE}).")
  long seed;

  @Spec
  CommandSpec spec;

  /** The server's body limit in this benchmark: small, so the too-large requests stay cheap to send. */
  static final long MAX_REQUEST_BYTES = 1 << 20;

  @Override
  public Integer call() throws InterruptedException {
    if (clients < 1 || predicts < 0 || explains < 0 || predicts + explains < 1 || warmup < 0 || timeLimit < 1
        || malformedPercent < 0 || malformedPercent > 100) {
      throw new ParameterException(spec.commandLine(), "need --clients >= 1, --predict + --explain >= 1, --warmup >= 0, "
          + "--time-limit >= 1 and --malformed 0..100");
    }
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    double loadAtStart = ResultTable.loadAverage();
    List<byte[]> images = ServeLoad.demoImages(32);
    ServerOptions options = ServerOptions.defaults().withPort(0).withMaxRequestBytes(MAX_REQUEST_BYTES)
        .withModel("shapes", DemoModel.installed());
    try (ConvlensServer server = new ConvlensServer(options).start()) {
      Duration limit = Duration.ofSeconds(timeLimit);
      err.printf(Locale.ROOT, "warm-up: %d requests ...%n", warmup);
      err.flush();
      if (warmup > 0) {
        ServeLoad.run(server.uri(), jobs(warmup * 4 / 5, warmup - warmup * 4 / 5, 0.2, images, seed - 1), clients, limit);
      }
      long rss0 = ServeLoad.rssBytes();
      long heap0 = Runtime.getRuntime().totalMemory();
      err.printf(Locale.ROOT, "run 1: %d predict + %d explain, all valid ...%n", predicts, explains);
      err.flush();
      ServeLoad.Result clean = ServeLoad.run(server.uri(), jobs(predicts, explains, 0, images, seed), clients, limit);
      long rss1 = ServeLoad.rssBytes();
      long heap1 = Runtime.getRuntime().totalMemory();
      err.printf(Locale.ROOT, "run 2: the same with %d%% malformed ...%n", malformedPercent);
      err.flush();
      ServeLoad.Result mixed = ServeLoad.run(server.uri(), jobs(predicts, explains, malformedPercent / 100.0, images,
          seed + 1), clients, limit);
      long rss2 = ServeLoad.rssBytes();
      long heap2 = Runtime.getRuntime().totalMemory();
      out.printf(Locale.ROOT, "serve-load: demo model (shapes, 64x64) at %s, workers %d, queue %d; %d clients "
          + "(java.net.http, HTTP/1.1); explain = gradcam/gradcam++/layercam of a random class%n", server.uri(),
          options.workers(), options.queueCapacity(), clients);
      out.println(ResultTable.machineLine(loadAtStart));
      out.print(format(List.of(new Row("valid", clean, rss0, rss1, heap0, heap1),
          new Row(malformedPercent + "% malformed", mixed, rss1, rss2, heap1, heap2))));
      for (ServeLoad.Result r : List.of(clean, mixed)) {
        r.problems().stream().limit(10).forEach(p -> out.println("  problem: " + p));
      }
      out.flush();
    }
    return 0;
  }

  private List<ServeLoad.Job> jobs(int p, int e, double malformed, List<byte[]> images, long s) {
    return ServeLoad.jobs("shapes", p, e, malformed, images, Shapes.CLASSES, MAX_REQUEST_BYTES, s);
  }

  /** One run's line: its results and the RSS before and after it. */
  record Row(String label, ServeLoad.Result result, long rssBefore, long rssAfter, long heapBefore, long heapAfter) {}

  static String format(List<Row> rows) {
    StringBuilder b = new StringBuilder(String.format(Locale.ROOT, "%-14s %9s %7s %11s %8s %8s %8s %8s %8s %7s %19s %12s%n",
        "run", "requests", "errors", "malformed", "p50 ms", "p99 ms", "pred p50", "expl p50", "req/s", "time s",
        "RSS MB (growth)", "heap MB"));
    for (Row row : rows) {
      ServeLoad.Result r = row.result();
      Timings all = r.latencies(null);
      Timings pred = r.latencies(ServeLoad.Kind.PREDICT);
      Timings expl = r.latencies(ServeLoad.Kind.EXPLAIN);
      long bad = r.count(true);
      b.append(String.format(Locale.ROOT, "%-14s %9s %7d %11s %8s %8s %8s %8s %8.1f %7.1f %19s %12s%n", row.label(),
          r.outcomes().size() + (r.timedOut() ? "/" + r.planned() : ""), r.problems().size(),
          bad == 0 ? "-" : r.malformedAnsweredRight() + "/" + bad + " 4xx", q(all, 0.5), q(all, 0.99), q(pred, 0.5),
          q(expl, 0.5), r.throughput(), r.wallSeconds(), rss(row.rssBefore(), row.rssAfter()),
          (row.heapBefore() >> 20) + "->" + (row.heapAfter() >> 20)));
    }
    b.append("errors = answers that were not what the request called for (wrong status or body, no answer); malformed =\n")
        .append("malformed requests answered with their 4xx status and a JSON error body (not an image 415, truncated\n")
        .append("image 415, empty body 400, body over the 1 MiB limit 413, unknown model 404, unknown class / layer /\n")
        .append("method 400, bad top 400); p50/p99 = latency of the valid requests, client side; pred/expl p50 = the same\n")
        .append("per kind; req/s = answers per second, all kinds; RSS = this process's resident set before -> after the\n")
        .append("run (client and server share the process), read after the warm-up; heap = the Java heap committed\n")
        .append("before -> after (G1 grows it under load up to -Xmx: a fixed heap, -Xms = -Xmx with -XX:+AlwaysPreTouch,\n")
        .append("keeps it out of the RSS growth).\n");
    return b.toString();
  }

  private static String q(@Nullable Timings t, double q) {
    return t == null ? "-" : String.format(Locale.ROOT, "%.1f", t.quantile(q));
  }

  private static String rss(long before, long after) {
    if (before <= 0 || after <= 0) {
      return "n/a";
    }
    return String.format(Locale.ROOT, "%d->%d (%+.1f%%)", before >> 20, after >> 20, 100.0 * (after - before) / before);
  }
}
