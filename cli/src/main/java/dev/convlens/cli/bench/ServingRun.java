package dev.convlens.cli.bench;

import dev.convlens.bridge.FloatTensor;
import dev.convlens.bridge.KerasModel;
import dev.convlens.bridge.LayerInfo;
import dev.convlens.bridge.LayerTrait;
import dev.convlens.visualize.activations.Activations;
import dev.convlens.visualize.activations.LayerOutput;
import dev.convlens.visualize.cam.CamExplainer;
import dev.convlens.visualize.cam.CamOptions;
import dev.convlens.visualize.cam.Heatmap;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * One round of {@code bench serving} on one model: {@code threads} threads each make {@code calls}
 * calls (predict, activations of the first conv layer and the CAM layer, Grad-CAM at the default layer, in turn), all released
 * together, while one more thread creates Grad-CAM explainers for {@code otherLayers}. In
 * {@link Mode#PREPARED} those explainers were created before serving, so the extra thread's calls
 * only find them; in {@link Mode#DURING} each of them adds gradient ops to the graph while the
 * others serve.
 */
public final class ServingRun {
  /** When the other layers' explainers are first created. */
  public enum Mode {
    PREPARED("prepared"), DURING("during");

    private final String label;

    Mode(String label) {
      this.label = label;
    }

    public String label() {
      return label;
    }
  }

  /**
   * What one round measured: the serving threads' wall time from release to the last call's end,
   * every call's latency, the extra thread's time for all its explainers, the graph's op count
   * before and after serving, and a hash of every call's output (equal hashes across modes: same
   * results).
   */
  public record Result(Mode mode, double totalSeconds, Timings latencies, double explainerSeconds, int opsBefore,
      int opsAfter, List<Integer> outputHashes) {
    public Result {
      outputHashes = List.copyOf(outputHashes);
    }
  }

  private final int threads;
  private final int calls;
  private final long inputSeed;

  public ServingRun(int threads, int calls, long inputSeed) {
    if (threads < 1 || calls < 1) {
      throw new IllegalArgumentException("need threads >= 1 and calls >= 1, got " + threads + " and " + calls);
    }
    this.threads = threads;
    this.calls = calls;
    this.inputSeed = inputSeed;
  }

  /**
   * The last {@code n} convolutional layers with a spatial map (more than one position), other than
   * {@code exclude}, last first: the layers a service might explain besides its default one.
   */
  public static List<String> otherLayers(KerasModel model, int n, String exclude) {
    List<String> all = new ArrayList<>();
    for (LayerInfo l : model.layers()) {
      long[] shape = l.outputShape();
      boolean map = l.isSpatial() && shape[1] * shape[2] > 1; // not a 1x1 conv classifier such as MobileNet's conv_preds
      if (l.is(LayerTrait.CONVOLUTIONAL) && map && !l.path().equals(exclude)) {
        all.add(l.path());
      }
    }
    List<String> last = new ArrayList<>(all.subList(Math.max(0, all.size() - n), all.size()));
    Collections.reverse(last);
    return last;
  }

  /** Runs one round on {@code model}, which the caller loaded fresh for it (and closes). */
  public Result run(KerasModel model, Mode mode, List<String> otherLayers) throws InterruptedException {
    CamExplainer cam = CamExplainer.of(model); // the served explainer exists before serving in both modes
    String firstConv = model.layers().stream().filter(l -> l.is(LayerTrait.CONVOLUTIONAL)).map(LayerInfo::path)
        .findFirst().orElse(cam.layer());
    List<String> activationLayers = List.of(firstConv, cam.layer());
    if (mode == Mode.PREPARED) {
      otherLayers.forEach(l -> CamExplainer.of(model, CamOptions.defaults().withLayer(l)));
    }
    List<FloatTensor> inputs = inputs(model);
    for (FloatTensor x : inputs.subList(0, 1)) { // first runs plan the graph; not what is measured
      for (int kind = 0; kind < 3; kind++) {
        call(model, cam, activationLayers, x, kind);
      }
    }
    int opsBefore = model.graph().operationCount();
    CountDownLatch start = new CountDownLatch(1);
    ExecutorService pool = Executors.newFixedThreadPool(threads + 1);
    try {
      List<Future<long[]>> served = new ArrayList<>();
      int[][] hashes = new int[threads][calls];
      for (int t = 0; t < threads; t++) {
        int thread = t;
        served.add(pool.submit(() -> {
          long[] nanos = new long[calls];
          start.await();
          for (int i = 0; i < calls; i++) {
            long t0 = System.nanoTime();
            hashes[thread][i] = call(model, cam, activationLayers, inputs.get(thread), (thread + i) % 3);
            nanos[i] = System.nanoTime() - t0;
          }
          return nanos;
        }));
      }
      Future<Long> explainers = pool.submit(() -> {
        start.await();
        long t0 = System.nanoTime();
        otherLayers.forEach(l -> CamExplainer.of(model, CamOptions.defaults().withLayer(l)));
        return System.nanoTime() - t0;
      });
      long t0 = System.nanoTime();
      start.countDown();
      long[] all = new long[threads * calls];
      for (int t = 0; t < threads; t++) {
        System.arraycopy(served.get(t).get(), 0, all, t * calls, calls);
      }
      double total = (System.nanoTime() - t0) / 1e9;
      double explainerSeconds = explainers.get() / 1e9;
      List<Integer> outputHashes = new ArrayList<>();
      Arrays.stream(hashes).forEach(h -> Arrays.stream(h).forEach(outputHashes::add));
      return new Result(mode, total, Timings.ofNanos(all), explainerSeconds, opsBefore, model.graph().operationCount(),
          outputHashes);
    } catch (ExecutionException e) {
      throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException("serving failed", e.getCause());
    } finally {
      pool.shutdownNow();
    }
  }

  /** One call of {@code kind} (0 predict, 1 activations, 2 Grad-CAM); returns a hash of its output. */
  private static int call(KerasModel model, CamExplainer cam, List<String> activationLayers, FloatTensor x, int kind) {
    return switch (kind) {
      case 0 -> Arrays.hashCode(model.predict(x).data());
      case 1 -> Arrays.hashCode(Activations.fetch(model, x, activationLayers).layers().stream()
          .map(LayerOutput::value).map(FloatTensor::data).map(Arrays::hashCode).toArray());
      default -> hash(cam.explain(x).get(0));
    };
  }

  private static int hash(Heatmap h) {
    return 31 * Arrays.hashCode(h.raw().data()) + h.classIndex();
  }

  /** One image per serving thread, uniform in [-1, 1) (MobileNet's 'tf' preprocessing range). */
  private List<FloatTensor> inputs(KerasModel model) {
    long[] shape = model.inputShape().clone();
    shape[0] = 1;
    int size = (int) Arrays.stream(shape).reduce(1, Math::multiplyExact);
    Random r = new Random(inputSeed);
    List<FloatTensor> out = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      float[] d = new float[size];
      for (int i = 0; i < d.length; i++) {
        d[i] = r.nextFloat() * 2 - 1;
      }
      out.add(new FloatTensor(shape, d));
    }
    return out;
  }
}
