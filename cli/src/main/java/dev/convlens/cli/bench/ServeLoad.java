package dev.convlens.cli.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.convlens.cli.demo.DemoModel;
import dev.convlens.cli.demo.Shapes;
import dev.convlens.visualize.render.Images;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.imageio.ImageIO;
import org.jspecify.annotations.Nullable;

/**
 * A load generator for {@code convlens serve} on the demo model: a fixed list of requests (predict
 * and explain, some of them deliberately malformed, each with the status it must get) sent by a
 * number of concurrent {@link HttpClient} clients to a server on this machine. Bounded in count
 * and time: the clients stop when the list is done or the time limit has passed.
 */
public final class ServeLoad {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String[] GRADIENT_METHODS = {"gradcam", "gradcam++", "layercam"};

  /** What a request is: a valid call, or one way of getting a call wrong and the status that answers it. */
  public enum Kind {
    PREDICT(200), EXPLAIN(200),
    NOT_AN_IMAGE(415), TRUNCATED_IMAGE(415), EMPTY_BODY(400), TOO_LARGE(413), UNKNOWN_MODEL(404),
    UNKNOWN_CLASS(400), UNKNOWN_LAYER(400), UNKNOWN_METHOD(400), BAD_TOP(400);

    final int status;

    Kind(int status) {
      this.status = status;
    }

    boolean malformed() {
      return status != 200;
    }
  }

  /** One request: where it goes (relative to the server's root), its body, and what it is. */
  public record Job(Kind kind, String path, byte[] body) {}

  /** One answer: what was sent, the status and time it got, and why it is wrong (null when right). */
  record Outcome(Job job, int status, long nanos, @Nullable String problem) {}

  /**
   * The results of a run: every answer in completion order, the wall time, and whether the time
   * limit cut the run short.
   */
  public record Result(List<Outcome> outcomes, int planned, double wallSeconds, boolean timedOut) {
    /** Answers that were not what their request called for (wrong status, body, or a failed connection). */
    public List<String> problems() {
      return outcomes.stream().filter(o -> o.problem() != null).map(o -> o.job().kind() + " " + o.job().path() + ": "
          + o.problem()).toList();
    }

    public long count(boolean malformed) {
      return outcomes.stream().filter(o -> o.job().kind().malformed() == malformed).count();
    }

    /** Malformed requests answered with their 4xx status and a JSON error body. */
    public long malformedAnsweredRight() {
      return outcomes.stream().filter(o -> o.job().kind().malformed() && o.problem() == null).count();
    }

    /** Latencies of the valid requests of {@code kind} (null: all valid ones); null when there are none. */
    public @Nullable Timings latencies(@Nullable Kind kind) {
      long[] nanos = outcomes.stream().filter(o -> !o.job().kind().malformed() && (kind == null || o.job().kind() == kind))
          .mapToLong(Outcome::nanos).toArray();
      return nanos.length == 0 ? null : Timings.ofNanos(nanos);
    }

    /** Answers per second over the whole run. */
    public double throughput() {
      return outcomes.size() / wallSeconds;
    }
  }

  private ServeLoad() {}

  /** {@code count} PNG-encoded held-out demo images of all four classes. */
  public static List<byte[]> demoImages(int count) {
    List<byte[]> out = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      out.add(png(Images.rgb(Shapes.sample(DemoModel.HELD_OUT_SEED, i).image())));
    }
    return out;
  }

  /**
   * {@code predicts + explains} requests on {@code model} in a shuffled order; a
   * {@code malformedFraction} of them (rounded) replaced by malformed ones of every kind in turn.
   * Explains ask for a random class (by name or index) and gradient method on the default layer.
   * {@code maxRequestBytes} is the server's body limit: the too-large requests are one byte over.
   */
  public static List<Job> jobs(String model, int predicts, int explains, double malformedFraction, List<byte[]> images,
      List<String> classes, long maxRequestBytes, long seed) {
    Random r = new Random(seed);
    String base = "v1/models/" + model + "/";
    List<Job> jobs = new ArrayList<>(predicts + explains);
    for (int i = 0; i < predicts; i++) {
      jobs.add(new Job(Kind.PREDICT, base + "predict", images.get(r.nextInt(images.size()))));
    }
    for (int i = 0; i < explains; i++) {
      int c = r.nextInt(classes.size());
      String cls = r.nextBoolean() ? classes.get(c) : Integer.toString(c);
      jobs.add(new Job(Kind.EXPLAIN, base + "explain?class=" + cls + "&method="
          + GRADIENT_METHODS[r.nextInt(GRADIENT_METHODS.length)].replace("+", "%2B"), images.get(r.nextInt(images.size()))));
    }
    Collections.shuffle(jobs, r);
    int bad = (int) Math.round(jobs.size() * malformedFraction);
    Kind[] kinds = Arrays.stream(Kind.values()).filter(Kind::malformed).toArray(Kind[]::new);
    // One body over the limit, shared by the too-large requests (only sent, never changed).
    byte[] tooLarge = bad == 0 ? new byte[0] : new byte[(int) Math.min(maxRequestBytes + 1, Integer.MAX_VALUE - 16)];
    for (int i = 0; i < bad; i++) {
      // Every k-th request, spread over the run rather than in one block.
      int at = (int) ((long) i * jobs.size() / bad);
      jobs.set(at, malformed(kinds[i % kinds.length], base, model, images.get(r.nextInt(images.size())), tooLarge, r));
    }
    return jobs;
  }

  private static Job malformed(Kind kind, String base, String model, byte[] image, byte[] tooLarge, Random r) {
    return switch (kind) {
      case NOT_AN_IMAGE -> new Job(kind, base + "predict", "this is text, not a picture".getBytes(StandardCharsets.UTF_8));
      case TRUNCATED_IMAGE -> new Job(kind, base + "explain", Arrays.copyOf(image, image.length / 2));
      case EMPTY_BODY -> new Job(kind, base + "predict", new byte[0]);
      case TOO_LARGE -> new Job(kind, base + "predict", tooLarge);
      case UNKNOWN_MODEL -> new Job(kind, "v1/models/" + model + "-nope/predict", image);
      case UNKNOWN_CLASS -> new Job(kind, base + "explain?class=hexagon", image);
      case UNKNOWN_LAYER -> new Job(kind, base + "explain?layer=no_such_layer", image);
      case UNKNOWN_METHOD -> new Job(kind, base + "explain?method=magic", image);
      case BAD_TOP -> new Job(kind, base + "predict?top=" + (r.nextBoolean() ? "0" : "many"), image);
      default -> throw new IllegalArgumentException(kind + " is not malformed");
    };
  }

  /**
   * Sends {@code jobs} to {@code base} from {@code clients} threads, each taking the next job
   * when its last one is answered, until all are answered or {@code limit} has passed.
   */
  public static Result run(URI base, List<Job> jobs, int clients, Duration limit) throws InterruptedException {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).version(HttpClient.Version.HTTP_1_1)
        .build();
    AtomicInteger next = new AtomicInteger();
    ConcurrentLinkedQueue<Outcome> outcomes = new ConcurrentLinkedQueue<>();
    long start = System.nanoTime();
    long deadline = start + limit.toNanos();
    ExecutorService pool = Executors.newFixedThreadPool(clients);
    for (int c = 0; c < clients; c++) {
      pool.execute(() -> {
        for (int i = next.getAndIncrement(); i < jobs.size() && System.nanoTime() < deadline; i = next.getAndIncrement()) {
          outcomes.add(send(http, base, jobs.get(i), deadline));
        }
      });
    }
    pool.shutdown();
    boolean finished = pool.awaitTermination(limit.toSeconds() + 60, TimeUnit.SECONDS);
    if (!finished) {
      pool.shutdownNow();
    }
    double wall = (System.nanoTime() - start) / 1e9;
    return new Result(List.copyOf(outcomes), jobs.size(), wall, outcomes.size() < jobs.size());
  }

  private static Outcome send(HttpClient http, URI base, Job job, long deadline) {
    long remaining = Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()));
    HttpRequest request = HttpRequest.newBuilder(base.resolve(job.path())).timeout(Duration.ofMillis(Math.min(remaining, 60_000)))
        .header("Content-Type", "application/octet-stream").POST(HttpRequest.BodyPublishers.ofByteArray(job.body())).build();
    long t0 = System.nanoTime();
    try {
      HttpResponse<byte[]> r = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
      long nanos = System.nanoTime() - t0;
      return new Outcome(job, r.statusCode(), nanos, check(job, r));
    } catch (IOException e) {
      return new Outcome(job, -1, System.nanoTime() - t0, "no answer: " + e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new Outcome(job, -1, System.nanoTime() - t0, "interrupted");
    }
  }

  /** Why the answer is wrong for the job, or null when it is right. */
  static @Nullable String check(Job job, HttpResponse<byte[]> r) {
    if (r.statusCode() != job.kind().status) {
      return "status " + r.statusCode() + " (expected " + job.kind().status + "): " + snippet(r.body());
    }
    JsonNode body;
    try {
      body = JSON.readTree(r.body());
    } catch (IOException e) {
      return "body is not JSON: " + snippet(r.body());
    }
    if (job.kind().malformed()) {
      boolean ok = body.path("error").isTextual() && !body.path("error").asText().isEmpty()
          && body.path("status").asInt() == r.statusCode();
      return ok ? null : "not a JSON error body: " + snippet(r.body());
    }
    if (job.kind() == Kind.PREDICT) {
      return body.path("predictions").size() > 0 ? null : "no predictions: " + snippet(r.body());
    }
    return body.path("overlay").asText().isEmpty() ? "no overlay: " + snippet(r.body()) : null;
  }

  private static String snippet(byte[] body) {
    String s = new String(body, 0, Math.min(body.length, 200), StandardCharsets.UTF_8);
    return s.replace('\n', ' ');
  }

  /** This process's resident set size in bytes (Linux {@code /proc/self/status}), or -1 where there is none. */
  public static long rssBytes() {
    Path status = Path.of("/proc/self/status");
    try {
      for (String line : Files.readAllLines(status)) {
        if (line.startsWith("VmRSS:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
        }
      }
    } catch (IOException | NumberFormatException e) {
      return -1;
    }
    return -1;
  }

  static byte[] png(java.awt.image.BufferedImage img) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      ImageIO.write(img, "png", out);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }
}
