package dev.convlens.bridge;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.convlens.bridge.fixtures.FixtureBuilder;
import dev.convlens.bridge.fixtures.KerasFixtureFiles;
import dev.convlens.bridge.fixtures.KerasModelFixture;
import dev.convlens.bridge.fixtures.SharedData;
import dev.convlens.bridge.fixtures.TestArrays;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * One loaded model serving 8 threads at once (as a web service would): every predict and
 * activations call must return exactly what the same call returns when made alone.
 */
class ConcurrencyTest {
  private static final int THREADS = 8;
  private static final int CALLS_PER_THREAD = 3;

  /** What one call returned: the prediction and the chosen layers' outputs. */
  private record Outputs(FloatTensor prediction, Map<String, FloatTensor> activations) {}

  @TempDir
  Path dir;

  /** A generated model of the same shape as the book's convnet: nested augmentation, rescaling, convs, a dense head. */
  private Path generatedConvnet() {
    KerasModelFixture f = FixtureBuilder.functional("convnet").input("input_1", 32, 32, 3)
        .nested(FixtureBuilder.sequential("sequential").randomFlip("random_flip", "horizontal"))
        .rescaling("rescaling_1", 1 / 255.0, 0)
        .conv2d("conv2d_10", 8, 3, "valid", "relu").maxPool("pool_1", 2)
        .conv2d("conv2d_12", 16, 3, "valid", "relu")
        .flatten("flatten_2").dense("dense_2", 1, "sigmoid")
        .build();
    return KerasFixtureFiles.writeKerasZip(f, dir.resolve("convnet.keras"));
  }

  @Test
  @Timeout(120)
  void concurrentCallsMatchSequentialOnesOnAGeneratedModel() throws Exception {
    check(generatedConvnet());
  }

  @Test
  @Timeout(120)
  void concurrentCallsMatchSequentialOnesOnTheBooksConvnet() throws Exception {
    check(SharedData.require("models/keras-v3/convnet_from_scratch_with_augmentation.keras"));
  }

  private static void check(Path file) throws Exception {
    try (KerasModel model = KerasModel.load(file)) {
      // Nested augmentation layers (identity at inference), the rescaling, convs and the dense head.
      List<String> layers = List.of("sequential/random_flip", "rescaling_1", "conv2d_10", "conv2d_12", "flatten_2",
          "dense_2");
      List<FloatTensor> inputs = new ArrayList<>();
      for (int i = 0; i < THREADS * CALLS_PER_THREAD; i++) {
        FloatTensor x = TestArrays.random(model.inputShape(), 1, 0, 100 + i);
        float[] pixels = x.data();
        for (int k = 0; k < pixels.length; k++) {
          pixels[k] *= 255f;  // the model rescales 0..255 itself
        }
        inputs.add(x);
      }
      List<Outputs> sequential = new ArrayList<>();
      for (FloatTensor x : inputs) {
        sequential.add(new Outputs(model.predict(x), model.activations(x, layers)));
      }

      ExecutorService pool = Executors.newFixedThreadPool(THREADS);
      try {
        CountDownLatch start = new CountDownLatch(1);
        List<Future<List<Outputs>>> futures = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
          int thread = t;
          Callable<List<Outputs>> work = () -> {
            start.await();
            List<Outputs> mine = new ArrayList<>();
            for (int c = 0; c < CALLS_PER_THREAD; c++) {
              // Interleave the two kinds of call, in a different order per thread.
              FloatTensor x = inputs.get(thread * CALLS_PER_THREAD + c);
              if ((thread + c) % 2 == 0) {
                FloatTensor p = model.predict(x);
                mine.add(new Outputs(p, model.activations(x, layers)));
              } else {
                Map<String, FloatTensor> a = model.activations(x, layers);
                mine.add(new Outputs(model.predict(x), a));
              }
            }
            return mine;
          };
          futures.add(pool.submit(work));
        }
        start.countDown();
        for (int t = 0; t < THREADS; t++) {
          List<Outputs> got = futures.get(t).get(100, TimeUnit.SECONDS);
          for (int c = 0; c < CALLS_PER_THREAD; c++) {
            int i = t * CALLS_PER_THREAD + c;
            assertSame(sequential.get(i), got.get(c), "thread " + t + " call " + c);
          }
        }
      } finally {
        pool.shutdownNow();
      }
      // The inputs differ, so equal outputs above are not a constant model.
      assertFalse(sequential.get(0).prediction().equals(sequential.get(1).prediction()), "outputs depend on input");
    }
  }

  private static void assertSame(Outputs expected, Outputs actual, String where) {
    assertArrayEquals(expected.prediction().shape(), actual.prediction().shape(), where);
    assertArrayEquals(expected.prediction().data(), actual.prediction().data(), where + " prediction");
    assertEquals(expected.activations().keySet(), actual.activations().keySet(), where);
    for (String layer : expected.activations().keySet()) {
      assertArrayEquals(expected.activations().get(layer).data(), actual.activations().get(layer).data(),
          where + " layer " + layer);
    }
  }
}
