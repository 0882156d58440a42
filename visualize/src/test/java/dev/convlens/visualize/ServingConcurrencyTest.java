package dev.convlens.visualize;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.convlens.bridge.FloatTensor;
import dev.convlens.bridge.KerasModel;
import dev.convlens.bridge.LoadOptions;
import dev.convlens.bridge.ModelClosedException;
import dev.convlens.bridge.applications.Vgg16;
import dev.convlens.bridge.fixtures.GoldenModels;
import dev.convlens.bridge.fixtures.Json;
import dev.convlens.bridge.fixtures.TestArrays;
import dev.convlens.visualize.activations.Activations;
import dev.convlens.visualize.activations.LayerActivations;
import dev.convlens.visualize.cam.CamExplainer;
import dev.convlens.visualize.cam.CamMethod;
import dev.convlens.visualize.cam.CamOptions;
import dev.convlens.visualize.cam.Heatmap;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * One model serving 8 threads (predict, activations, Grad-CAM), as a web service would, on a
 * VGG16 base at 32x32 with seeded random weights (no ../shared needed): results while a 9th
 * thread adds explainers for other layers are bit-identical to serial ones; closing while the 8
 * threads run gives each call a result or ModelClosedException, and close() returns.
 */
class ServingConcurrencyTest {
  private static final int THREADS = 8;
  private static final int INPUTS_PER_THREAD = 3;
  private static final int SIZE = 32;
  private static final List<String> ACTIVATION_LAYERS = List.of("block1_conv1", "block5_conv3");
  /** What the 9th thread adds while the others serve: explainers of other layers, two score kinds. */
  private static final List<String> OTHER_LAYERS = List.of("block5_conv2", "block5_conv1", "block4_conv3",
      "block4_conv2", "block4_conv1", "block3_conv3");

  /** One served request: the prediction, the chosen activations and the Grad-CAM of the top-1 class. */
  private record Served(FloatTensor prediction, LayerActivations activations, Heatmap heatmap) {}

  /**
   * VGG16's convolutional base at 32x32 with a GlobalAveragePooling2D + Dense(10, softmax) head,
   * Keras-default random weights (seeded). Unlike a random MobileNet, whose un-normalized signal
   * fades to ~1e-16 logits and so a constant softmax, its outputs depend on the input.
   */
  private static KerasModel vgg16() {
    String base = Vgg16.Options.defaults().withIncludeTop(false).withImagenetWeights(false).withInputSize(SIZE, SIZE).config();
    String config = GoldenModels.withGapDenseHead(Json.tree(base), "block5_pool", "gap", "predictions", 10).toString();
    return KerasModel.fromConfig(config, LoadOptions.defaults().withRandomWeights(1));
  }

  private static List<FloatTensor> inputs() {
    List<FloatTensor> inputs = new ArrayList<>();
    for (int i = 0; i < THREADS * INPUTS_PER_THREAD; i++) {
      FloatTensor x = TestArrays.random(new long[] {SIZE, SIZE, 3}, 100 + i);
      float[] d = x.data();
      for (int k = 0; k < d.length; k++) {
        d[k] *= 255; // pixel values, as VGG16 (without its preprocessing) takes them
      }
      inputs.add(x);
    }
    return inputs;
  }

  private static Served serve(KerasModel model, CamExplainer cam, FloatTensor x) {
    return new Served(model.predict(x), Activations.fetch(model, x, ACTIVATION_LAYERS), cam.explain(x).get(0));
  }

  @Test
  @Timeout(300)
  void explainersAddedWhileServingLeaveEveryResultBitIdentical() throws Exception {
    try (KerasModel model = vgg16()) {
      CamExplainer cam = CamExplainer.of(model);
      assertEquals("block5_conv3", cam.layer());
      List<FloatTensor> inputs = inputs();
      List<Served> serial = new ArrayList<>();
      for (FloatTensor x : inputs) {
        serial.add(serve(model, cam, x));
      }
      assertFalse(serial.get(0).prediction().equals(serial.get(1).prediction()), "outputs depend on the input");
      assertFalse(serial.get(0).heatmap().raw().equals(serial.get(1).heatmap().raw()), "maps depend on the input");

      int opsBefore = model.graph().operationCount();
      String extending = serveWhileCreating(model, cam, inputs, serial);
      int opsAfter = model.graph().operationCount();
      assertTrue(opsAfter > opsBefore, "the 9th thread added no ops: nothing was tested");
      // Second pass: every explainer exists already, so creating them again adds nothing and stalls nobody.
      String prepared = serveWhileCreating(model, cam, inputs, serial);
      assertEquals(opsAfter, model.graph().operationCount(), "re-creating explainers grew the graph");
      System.out.printf(Locale.ROOT, "serving on %d threads, request latency: %s while %d explainers were added;"
          + " %s with them created before serving%n", THREADS, extending, 2 * OTHER_LAYERS.size(), prepared);
    }
  }

  /** Serves every input on 8 threads while a 9th creates the other explainers; returns the request latencies. */
  private static String serveWhileCreating(KerasModel model, CamExplainer cam, List<FloatTensor> inputs,
      List<Served> serial) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(THREADS + 1);
    try {
      CountDownLatch start = new CountDownLatch(1);
      AtomicBoolean created = new AtomicBoolean();
      List<Long> latencies = java.util.Collections.synchronizedList(new ArrayList<>());
      Future<?> creator = pool.submit(() -> {
        start.await();
        for (String layer : OTHER_LAYERS) {
          for (CamMethod method : List.of(CamMethod.GRAD_CAM_BOOK, CamMethod.GRAD_CAM)) {
            CamExplainer.of(model, CamOptions.defaults().withLayer(layer).withMethod(method));
          }
        }
        created.set(true);
        return null;
      });
      List<Future<Integer>> servers = new ArrayList<>();
      for (int t = 0; t < THREADS; t++) {
        int thread = t;
        Callable<Integer> work = () -> {
          start.await();
          int calls = 0;
          // At least two rounds, and on until the creator is done, so that the two overlap.
          for (int round = 0; round < 2 || !created.get(); round++) {
            for (int c = 0; c < INPUTS_PER_THREAD; c++) {
              int i = thread * INPUTS_PER_THREAD + (c + round) % INPUTS_PER_THREAD;
              long t0 = System.nanoTime();
              Served got = serve(model, cam, inputs.get(i));
              latencies.add(System.nanoTime() - t0);
              assertIdentical(serial.get(i), got, "thread " + thread + " input " + i);
              calls++;
            }
          }
          return calls;
        };
        servers.add(pool.submit(work));
      }
      start.countDown();
      for (Future<Integer> f : servers) {
        assertTrue(f.get(240, TimeUnit.SECONDS) >= 2 * INPUTS_PER_THREAD);
      }
      creator.get(60, TimeUnit.SECONDS);
      long[] ms = latencies.stream().mapToLong(n -> n / 1_000_000).sorted().toArray();
      return String.format(Locale.ROOT, "median %d ms, max %d ms over %d requests", ms[ms.length / 2],
          ms[ms.length - 1], ms.length);
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  @Timeout(300)
  void closingWhileServingGivesResultsOrModelClosedException() throws Exception {
    KerasModel model = vgg16();
    CamExplainer cam = CamExplainer.of(model);
    List<FloatTensor> inputs = inputs();
    List<FloatTensor> predictions = new ArrayList<>();
    List<Heatmap> maps = new ArrayList<>();
    for (FloatTensor x : inputs) {
      predictions.add(model.predict(x));
      maps.add(cam.explain(x).get(0));
    }
    ExecutorService pool = Executors.newFixedThreadPool(THREADS);
    AtomicInteger served = new AtomicInteger();
    try {
      CountDownLatch running = new CountDownLatch(THREADS);
      List<Future<Integer>> futures = new ArrayList<>();
      for (int t = 0; t < THREADS; t++) {
        int thread = t;
        futures.add(pool.submit(() -> {
          running.countDown();
          int ok = 0;
          for (int call = 0; ; call++) {
            int i = thread * INPUTS_PER_THREAD + call % INPUTS_PER_THREAD;
            try {
              if ((thread + call) % 2 == 0) {
                assertArrayEquals(predictions.get(i).data(), model.predict(inputs.get(i)).data());
              } else {
                assertArrayEquals(maps.get(i).raw().data(), cam.explain(inputs.get(i)).get(0).raw().data());
              }
              ok++;
              served.incrementAndGet();
            } catch (ModelClosedException e) {
              return ok; // the one failure allowed: anything else fails the future
            }
          }
        }));
      }
      running.await();
      while (served.get() < 2 * THREADS && futures.stream().noneMatch(Future::isDone)) {
        Thread.sleep(5);
      }
      long t0 = System.nanoTime();
      model.close();
      long closing = (System.nanoTime() - t0) / 1_000_000;
      int total = 0;
      for (Future<Integer> f : futures) {
        total += f.get(60, TimeUnit.SECONDS); // every thread ended on ModelClosedException
      }
      System.out.printf(Locale.ROOT, "close() returned after %d ms with %d threads serving (%d calls served)%n",
          closing, THREADS, total);
      assertTrue(total >= 2 * THREADS);
      try {
        model.predict(inputs.get(0));
        fail("predict on a closed model");
      } catch (ModelClosedException expected) {
        // as every later call
      }
    } finally {
      pool.shutdownNow();
      model.close();
    }
  }

  private static void assertIdentical(Served expected, Served actual, String where) {
    assertArrayEquals(expected.prediction().shape(), actual.prediction().shape(), where);
    assertArrayEquals(expected.prediction().data(), actual.prediction().data(), where + " prediction");
    for (String layer : ACTIVATION_LAYERS) {
      assertArrayEquals(expected.activations().get(layer).value().data(), actual.activations().get(layer).value().data(),
          where + " layer " + layer);
    }
    Heatmap e = expected.heatmap();
    Heatmap a = actual.heatmap();
    assertEquals(e.classIndex(), a.classIndex(), where + " class");
    assertArrayEquals(e.weights().data(), a.weights().data(), where + " Grad-CAM weights");
    assertArrayEquals(e.raw().data(), a.raw().data(), where + " Grad-CAM raw map");
    assertArrayEquals(e.normalized().data(), a.normalized().data(), where + " Grad-CAM map");
  }
}
