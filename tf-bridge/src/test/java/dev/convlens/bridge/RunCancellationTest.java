package dev.convlens.bridge;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convlens.bridge.applications.MobileNet;
import dev.convlens.bridge.spi.ExtensionKey;
import dev.convlens.bridge.spi.ModelGraph;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.tensorflow.Operand;
import org.tensorflow.types.TFloat32;

/**
 * Cancellation of single graph runs on a real model: checked before the run. A dequeue from a
 * queue nobody fills blocks forever, so a run that fetches it shows that the check comes first.
 */
class RunCancellationTest {
  @AfterEach
  void clearInterrupt() {
    Thread.interrupted();
  }

  private static KerasModel model() {
    String config = MobileNet.Options.defaults().withAlpha(0.25).withInputSize(32).withClasses(5).withImagenetWeights(false).config();
    return KerasModel.fromConfig(config, LoadOptions.defaults().withRandomWeights(7));
  }

  private static FloatTensor image() {
    float[] v = new float[32 * 32 * 3];
    for (int i = 0; i < v.length; i++) {
      v[i] = (float) Math.sin(i * 0.37);
    }
    return new FloatTensor(new long[] {32, 32, 3}, v);
  }

  private record Blocking(Operand<TFloat32> value) {}

  /** A float that never arrives: dequeued from an empty queue, plus the model's output so the run also does work. */
  private static Operand<TFloat32> neverReady(ModelGraph g) {
    return g.extension(ExtensionKey.of(Blocking.class, "never"), scope -> {
      var tf = scope.ops("never_ready");
      var queue = tf.io.fifoQueue(List.of(TFloat32.class));
      @SuppressWarnings("unchecked")
      Operand<TFloat32> item = (Operand<TFloat32>) tf.io.queueDequeue(queue, List.of(TFloat32.class)).components().get(0);
      return new Blocking(tf.math.add(item, tf.sum(g.output(), tf.constant(new int[] {0, 1}))));
    }).value();
  }

  @Test
  @Timeout(120)
  void aPassedDeadlineOrACancelledTokenStopsBeforeTheRun() {
    try (KerasModel m = model()) {
      Operand<TFloat32> blocked = neverReady(m.graph());
      // had the run started, it would block forever
      CancelledException e = assertThrows(CancelledException.class,
          () -> m.graph().newRun().feedInput(image()).fetch(blocked).cancellation(Cancellation.after(Duration.ZERO)).run());
      assertEquals(CancelledException.Reason.DEADLINE, e.reason());
      Cancellation token = Cancellation.token();
      token.cancel();
      assertEquals(CancelledException.Reason.CANCELLED, assertThrows(CancelledException.class,
          () -> m.graph().newRun().feedInput(image()).fetch(blocked).cancellation(token).run()).reason());
    }
  }

  @Test
  void anInterruptedThreadGetsCancelledExceptionFromPredictAndKeepsTheFlag() {
    try (KerasModel m = model()) {
      float[] before = m.predict(image()).data();
      Thread.currentThread().interrupt();
      CancelledException e = assertThrows(CancelledException.class, () -> m.predict(image()));
      assertEquals(CancelledException.Reason.INTERRUPTED, e.reason());
      assertThrows(CancelledException.class, () -> m.activations(image(), List.of("conv1")));
      assertTrue(Thread.interrupted(), "the flag is still set (and cleared here)");
      assertArrayEquals(before, m.predict(image()).data());
    }
  }

  /** A call stopped by an interrupt is often followed by close() on the same, still interrupted, thread. */
  @Test
  void closingOnAnInterruptedThreadStillFreesTheModel() {
    KerasModel m = model();
    OwnedGraph owned = (OwnedGraph) m.graph();
    m.predict(image());
    Thread.currentThread().interrupt();
    m.close();
    assertTrue(Thread.interrupted(), "close keeps the flag");
    assertTrue(owned.isFreed(), "no run was in flight: close frees the graph and session at once");
  }
}
