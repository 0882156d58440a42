package dev.convlens.bridge;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convlens.bridge.applications.MobileNet;
import dev.convlens.bridge.spi.ExtensionKey;
import dev.convlens.bridge.spi.ModelGraph;
import java.time.Duration;
import java.util.List;
import org.bytedeco.javacpp.Pointer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.tensorflow.Operand;
import org.tensorflow.exceptions.TensorFlowException;
import org.tensorflow.types.TFloat32;

/**
 * Cancellation of single graph runs on a real model. A dequeue from a queue nobody fills blocks
 * forever, so a run that fetches it ends only through TensorFlow's run timeout: that makes the
 * timeout path deterministic without timing anything.
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
  void theDeadlineStopsARunInsideTensorFlowAndTheModelStaysUsable() {
    try (KerasModel m = model()) {
      ModelGraph g = m.graph();
      Operand<TFloat32> blocked = neverReady(g);
      float[] before = m.predict(image()).data();
      CancelledException e = assertThrows(CancelledException.class,
          () -> g.newRun().feedInput(image()).fetch(blocked).cancellation(Cancellation.after(Duration.ofMillis(200))).run());
      assertEquals(CancelledException.Reason.DEADLINE, e.reason());
      assertTrue(e.getCause() instanceof TensorFlowException, "TensorFlow's timeout is the cause: " + e.getCause());
      assertTrue(e.getMessage().contains("deadline of 200 ms passed"), e.getMessage());
      assertArrayEquals(before, m.predict(image()).data(), "the next run works and gives the same output");
    }
  }

  @Test
  void aPassedDeadlineStopsBeforeTheRun() {
    try (KerasModel m = model()) {
      Operand<TFloat32> blocked = neverReady(m.graph());
      // had the run started, it would block forever: there is no timeout left to give TensorFlow
      CancelledException e = assertThrows(CancelledException.class,
          () -> m.graph().newRun().feedInput(image()).fetch(blocked).cancellation(Cancellation.after(Duration.ZERO)).run());
      assertEquals(CancelledException.Reason.DEADLINE, e.reason());
      assertNull(e.getCause(), "stopped by the check before the run, not by TensorFlow");
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

  @Test
  @Timeout(120)
  void stoppedRunsLeakNoNativeTensors() {
    try (KerasModel m = model()) {
      ModelGraph g = m.graph();
      Operand<TFloat32> blocked = neverReady(g);
      Runnable timedOut = () -> assertThrows(CancelledException.class,
          () -> g.newRun().feedInput(image()).fetch(blocked).cancellation(Cancellation.after(Duration.ofMillis(5))).run());
      timedOut.run();
      m.predict(image());
      long before = Pointer.totalCount();
      for (int i = 0; i < 40; i++) {
        timedOut.run();
      }
      long after = Pointer.totalCount();
      // each stopped run fed a 12 KB input tensor: had it stayed open, 40 native objects would remain
      assertTrue(after - before < 10, "native objects left by 40 stopped runs: " + before + " -> " + after);
    }
  }
}
