package dev.convlens.bridge;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convlens.bridge.applications.MobileNet;
import dev.convlens.bridge.spi.ExtensionKey;
import dev.convlens.bridge.spi.ModelGraph;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.tensorflow.Operand;
import org.tensorflow.types.TFloat32;

/**
 * The ownership contract on a generated model (no shared data): extensions built once per key and
 * while serving without changing results, one {@link ModelClosedException} after close, and a close
 * that waits for the runs in flight.
 */
class ModelLifecycleTest {
  private static KerasModel model() {
    String config = MobileNet.Options.defaults().withAlpha(0.25).withInputSize(32).withClasses(5).withImagenetWeights(false).config();
    return KerasModel.fromConfig(config, LoadOptions.defaults().withRandomWeights(7));
  }

  private static FloatTensor image(int seed) {
    float[] v = new float[32 * 32 * 3];
    for (int i = 0; i < v.length; i++) {
      v[i] = (float) Math.sin(seed * 31 + i * 0.37);
    }
    return new FloatTensor(new long[] {32, 32, 3}, v);
  }

  /** A gradient op of the output wrt one layer, as an attribution method would add. */
  private static Operand<TFloat32> gradientOf(ModelGraph g, String layer) {
    return g.extension(ExtensionKey.of(Grad.class, layer), scope -> {
      var tf = scope.ops("test_gradient");
      var score = tf.sum(g.output(), tf.constant(new int[] {0, 1}));
      return new Grad(scope.gradients(score, g.layer(layer).output())[0].expect(TFloat32.class));
    }).op();
  }

  private record Grad(Operand<TFloat32> op) {}

  @Test
  void anExtensionIsBuiltOncePerKeyAndDoesNotGrowTheGraphAgain() {
    try (KerasModel m = model()) {
      ModelGraph g = m.graph();
      int before = g.operationCount();
      Operand<TFloat32> first = gradientOf(g, "conv_pw_13_relu");
      int after = g.operationCount();
      assertTrue(after > before);
      assertSame(first, gradientOf(g, "conv_pw_13_relu"));
      assertEquals(after, g.operationCount());
    }
  }

  @Test
  void extendingTheGraphWhileServingKeepsResultsBitIdentical() throws Exception {
    try (KerasModel m = model()) {
      List<float[]> serial = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        serial.add(m.predict(image(i)).data());
      }
      List<String> layers = m.layers().stream().filter(l -> l.is(LayerTrait.CONVOLUTIONAL)).map(LayerInfo::path).toList();
      ExecutorService pool = Executors.newFixedThreadPool(9);
      try {
        AtomicBoolean extending = new AtomicBoolean(true);
        Future<?> extender = pool.submit(() -> {
          for (String l : layers) {
            gradientOf(m.graph(), l);
          }
          extending.set(false);
        });
        List<Future<Integer>> servers = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
          int which = t;
          servers.add(pool.submit(() -> {
            int calls = 0;
            do {
              assertArrayEquals(serial.get(which), m.predict(image(which)).data());
              calls++;
            } while (extending.get() || calls < 3);
            return calls;
          }));
        }
        extender.get(120, TimeUnit.SECONDS);
        for (Future<Integer> s : servers) {
          assertTrue(s.get(120, TimeUnit.SECONDS) >= 3);
        }
      } finally {
        pool.shutdownNow();
      }
    }
  }

  @Test
  void everyCallOnAClosedModelThrowsModelClosedException() {
    KerasModel m = model();
    ModelGraph g = m.graph();
    m.close();
    m.close();  // idempotent
    assertThrows(ModelClosedException.class, () -> m.predict(image(0)));
    assertThrows(ModelClosedException.class, m::inputShape);
    assertThrows(ModelClosedException.class, m::layers);
    assertThrows(ModelClosedException.class, () -> m.layer("conv1"));
    assertThrows(ModelClosedException.class, m::graph);
    assertThrows(ModelClosedException.class, () -> m.activations(image(0), List.of("conv1")));
    assertThrows(ModelClosedException.class, g::newRun);
    assertThrows(ModelClosedException.class, g::output);
    assertThrows(ModelClosedException.class, () -> gradientOf(g, "conv1"));
  }

  @Test
  void closeWhileEightThreadsServeWaitsForThemAndEveryCallEndsCleanly() throws Exception {
    KerasModel m = model();
    float[] expected = m.predict(image(1)).data();
    ExecutorService pool = Executors.newFixedThreadPool(8);
    AtomicInteger results = new AtomicInteger();
    AtomicInteger refused = new AtomicInteger();
    List<Future<?>> futures = new ArrayList<>();
    for (int t = 0; t < 8; t++) {
      futures.add(pool.submit(() -> {
        while (true) {
          try {
            assertArrayEquals(expected, m.predict(image(1)).data());
            results.incrementAndGet();
          } catch (ModelClosedException e) {
            refused.incrementAndGet();
            return null;
          }
        }
      }));
    }
    while (results.get() < 16) {
      Thread.sleep(5);
    }
    m.close();
    for (Future<?> f : futures) {
      f.get(60, TimeUnit.SECONDS);  // an AssertionError or any other exception fails here
    }
    pool.shutdown();
    assertEquals(8, refused.get());
    assertThrows(ModelClosedException.class, () -> m.predict(image(1)));
  }
}
