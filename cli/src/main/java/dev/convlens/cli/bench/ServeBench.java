package dev.convlens.cli.bench;

import dev.convlens.bridge.image.ImageLimits;
import dev.convlens.cli.demo.DemoModel;
import dev.convlens.cli.demo.Shapes;
import dev.convlens.server.ConvlensServer;
import dev.convlens.server.ServerOptions;
import dev.convlens.visualize.ExplainOptions;
import dev.convlens.visualize.ImageClassifier;
import dev.convlens.visualize.InputImage;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code convlens bench serve}: what HTTP costs. The same loaded demo model is called by N threads
 * directly ({@code ImageClassifier.predict} / {@code explain} on the encoded image, decode
 * included, as the server does it) and by N HTTP clients through {@code convlens serve} in the
 * same process; the two alternate for a number of rounds. Prints the median requests per second
 * of each and their ratio.
 */
@Command(name = "serve", mixinStandardHelpOptions = true,
    description = {"Requests/s through convlens serve vs direct ImageClassifier calls on the same demo model, "
        + "same process, the same number of threads; rounds alternate.",
        "Prints median requests/s of each, their ratio, and median latencies."})
public final class ServeBench implements Callable<Integer> {
  @Option(names = "--clients", defaultValue = "8", paramLabel = "N", description = "Threads / HTTP clients (default ${DEFAULT-VALUE}).")
  int clients;

  @Option(names = "--predict", defaultValue = "800", paramLabel = "N", description = "Predict calls per round and side (default ${DEFAULT-VALUE}).")
  int predicts;

  @Option(names = "--explain", defaultValue = "200", paramLabel = "N", description = "Explain calls per round and side (default ${DEFAULT-VALUE}).")
  int explains;

  @Option(names = "--rounds", defaultValue = "5", paramLabel = "N", description = "Rounds, each running both sides (default ${DEFAULT-VALUE}).")
  int rounds;

  @Spec
  CommandSpec spec;

  /** One side of one round: throughput and per-call latencies. */
  record Side(double perSecond, Timings latencies) {}

  @Override
  public Integer call() throws Exception {
    if (clients < 1 || predicts < 1 || explains < 1 || rounds < 1) {
      throw new ParameterException(spec.commandLine(), "need --clients, --predict, --explain and --rounds >= 1");
    }
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    double loadAtStart = ResultTable.loadAverage();
    List<byte[]> images = ServeLoad.demoImages(32);
    ImageLimits limits = ServerOptions.defaults().imageLimits();
    try (ImageClassifier classifier = ImageClassifier.load(DemoModel.installed());
        ConvlensServer server = new ConvlensServer(ServerOptions.defaults().withPort(0), Map.of("shapes", classifier)).start()) {
      // The same explains on both sides: class and method fixed per index.
      List<ServeLoad.Job> predictJobs = ServeLoad.jobs("shapes", predicts, 0, 0, images, Shapes.CLASSES, ServerOptions.DEFAULT_MAX_REQUEST_BYTES, 11);
      List<ServeLoad.Job> explainJobs = ServeLoad.jobs("shapes", 0, explains, 0, images, Shapes.CLASSES, ServerOptions.DEFAULT_MAX_REQUEST_BYTES, 12);
      // A short warm-up of both sides (JIT, connections), not counted.
      direct(classifier, limits, predictJobs.subList(0, Math.min(100, predicts)));
      ServeLoad.run(server.uri(), predictJobs.subList(0, Math.min(100, predicts)), clients, Duration.ofMinutes(5));
      List<Side> pd = new ArrayList<>();
      List<Side> ps = new ArrayList<>();
      List<Side> ed = new ArrayList<>();
      List<Side> es = new ArrayList<>();
      for (int r = 0; r < rounds; r++) {
        err.printf(Locale.ROOT, "round %d of %d ...%n", r + 1, rounds);
        err.flush();
        boolean directFirst = r % 2 == 0;
        for (int k = 0; k < 2; k++) {
          if ((k == 0) == directFirst) {
            pd.add(direct(classifier, limits, predictJobs));
            ed.add(direct(classifier, limits, explainJobs));
          } else {
            ps.add(served(server, predictJobs));
            es.add(served(server, explainJobs));
          }
        }
      }
      out.printf(Locale.ROOT, "serve: demo model (shapes, 64x64), %d threads each side, %d rounds of %d predict + %d explain "
          + "calls per side (explain: gradcam/gradcam++/layercam of a random class, overlay PNG encoded on both sides)%n",
          clients, rounds, predicts, explains);
      out.println(ResultTable.machineLine(loadAtStart));
      out.printf(Locale.ROOT, "%-8s %12s %12s %8s %13s %13s%n", "call", "direct req/s", "server req/s", "ratio",
          "direct p50 ms", "server p50 ms");
      row(out, "predict", pd, ps);
      row(out, "explain", ed, es);
      out.println("req/s = median over the rounds of calls / wall time; ratio = server / direct; p50 = median latency of one"
          + " call over all rounds (HTTP: client side, loopback).");
      out.flush();
    }
    return 0;
  }

  private void row(PrintWriter out, String name, List<Side> direct, List<Side> served) {
    double d = Timings.median(direct.stream().mapToDouble(Side::perSecond).toArray());
    double s = Timings.median(served.stream().mapToDouble(Side::perSecond).toArray());
    out.printf(Locale.ROOT, "%-8s %12.1f %12.1f %8.2f %13.2f %13.2f%n", name, d, s, s / d, p50(direct), p50(served));
  }

  private static double p50(List<Side> sides) {
    List<Double> all = new ArrayList<>();
    sides.forEach(s -> all.addAll(s.latencies().millis()));
    return new Timings(all).median();
  }

  private Side served(ConvlensServer server, List<ServeLoad.Job> jobs) throws InterruptedException {
    ServeLoad.Result r = ServeLoad.run(server.uri(), jobs, clients, Duration.ofMinutes(15));
    if (!r.problems().isEmpty() || r.timedOut()) {
      throw new IllegalStateException("the server answered wrongly: " + r.problems().stream().limit(3).toList());
    }
    return new Side(r.throughput(), java.util.Objects.requireNonNull(r.latencies(null), "no valid request answered"));
  }

  /** The jobs as direct calls: decode the body, then predict (top 5) or explain with the job's class and method. */
  private Side direct(ImageClassifier classifier, ImageLimits limits, List<ServeLoad.Job> jobs) throws Exception {
    AtomicInteger next = new AtomicInteger();
    long[] nanos = new long[jobs.size()];
    ExecutorService pool = Executors.newFixedThreadPool(clients);
    long start = System.nanoTime();
    List<Future<?>> done = new ArrayList<>();
    for (int c = 0; c < clients; c++) {
      done.add(pool.submit(() -> {
        for (int i = next.getAndIncrement(); i < jobs.size(); i = next.getAndIncrement()) {
          ServeLoad.Job job = jobs.get(i);
          long t0 = System.nanoTime();
          InputImage image = InputImage.of(job.body(), limits);
          if (job.kind() == ServeLoad.Kind.PREDICT) {
            classifier.predict(image, 5);
          } else {
            classifier.explain(image, explainOptions(job.path())).overlayPng();
          }
          nanos[i] = System.nanoTime() - t0;
        }
        return null;
      }));
    }
    for (Future<?> f : done) {
      f.get();
    }
    double wall = (System.nanoTime() - start) / 1e9;
    pool.shutdown();
    return new Side(jobs.size() / wall, Timings.ofNanos(nanos));
  }

  /** The explain options a job's query asks the server for (class name or index, method). */
  static ExplainOptions explainOptions(String path) {
    ExplainOptions o = ExplainOptions.defaults();
    String query = path.substring(path.indexOf('?') + 1);
    for (String kv : query.split("&")) {
      String[] p = kv.split("=", 2);
      String v = java.net.URLDecoder.decode(p[1], java.nio.charset.StandardCharsets.UTF_8);
      if (p[0].equals("class")) {
        o = v.chars().allMatch(Character::isDigit) ? o.withClassIndex(Integer.parseInt(v)) : o.withClassName(v);
      } else if (p[0].equals("method")) {
        o = o.withMethod(dev.convlens.visualize.cam.CamMethod.parse(v));
      }
    }
    return o;
  }
}
