package dev.convlens.visualize.cam;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convlens.bridge.Cancellation;
import dev.convlens.bridge.CancelledException;
import dev.convlens.bridge.FloatTensor;
import dev.convlens.bridge.KerasModel;
import dev.convlens.bridge.LoadOptions;
import dev.convlens.bridge.fixtures.FixtureBuilder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.bytedeco.javacpp.Pointer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Score-CAM and the gradient methods stop between graph runs when their cancellation says so. The
 * target layer is linear, so no channel is constant and every mask is a run: 8 channels in batches
 * of 2 are 4 runs per image, each reported to the listener once (done = 2, 4, 6, 8, then 9 for the
 * all-zero baseline).
 */
class CamCancellationTest {
  private static KerasModel model;
  private static FloatTensor images;

  @BeforeAll
  static void build() {
    var f = FixtureBuilder.functional("cancel").seed(3).input("image", 12, 12, 1)
        .conv2d("c1", 8, 3, "valid", "linear").flatten("flat").dense("probs", 3, "softmax").build();
    model = KerasModel.fromConfig(f.modelConfig().toString(), f.weightSource(), LoadOptions.defaults());
    float[] x = new float[2 * 144];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) Math.sin(i * 0.7) + 1;
    }
    images = FloatTensor.of(x, 2, 12, 12, 1);
  }

  @AfterAll
  static void close() {
    model.close();
  }

  @AfterEach
  void clearInterrupt() {
    Thread.interrupted();
  }

  private static CamOptions scoreCam() {
    return CamOptions.defaults().withMethod(CamMethod.SCORE_CAM).withScoreCamBatchSize(2);
  }

  @Test
  void cancellingFromTheListenerAfterTheSecondBatchStopsThere() {
    float[] uncancelled = CamExplainer.of(model, scoreCam()).explain(images).get(1).raw().data();
    Cancellation token = Cancellation.token();
    List<Long> done = new ArrayList<>();
    CamExplainer shared = CamExplainer.of(model, scoreCam().withListener(p -> {
      done.add(p.done());
      if (done.size() == 2) {
        token.cancel();
      }
    }));
    CamExplainer cam = shared.withCancellation(token); // per request, on an explainer made once
    CancelledException e = assertThrows(CancelledException.class, () -> cam.explain(images));
    assertEquals(CancelledException.Reason.CANCELLED, e.reason());
    assertEquals(List.of(2L, 4L), done, "exactly two batches ran");

    // the model is untouched: the same explanation without the token gives the same map
    assertArrayEquals(uncancelled, CamExplainer.of(model, scoreCam()).explain(images).get(1).raw().data());
  }

  @Test
  void aPassedDeadlineStopsEveryMethodBeforeItsFirstRun() {
    Cancellation passed = Cancellation.after(Duration.ZERO);
    for (CamMethod method : CamMethod.values()) {
      List<CamProgress> events = new ArrayList<>();
      CamExplainer cam = CamExplainer.of(model, scoreCam().withMethod(method).withCancellation(passed)
          .withListener(events::add));
      CancelledException e = assertThrows(CancelledException.class, () -> cam.explain(images), method.toString());
      assertEquals(CancelledException.Reason.DEADLINE, e.reason());
      assertTrue(events.isEmpty(), method + " ran " + events);
      assertTrue(e.getMessage().contains("deadline of 0 ms"), e.getMessage());
    }
  }

  @Test
  void anInterruptedThreadIsStoppedAndKeepsTheFlag() {
    CamExplainer cam = CamExplainer.of(model);
    Thread.currentThread().interrupt();
    CancelledException e = assertThrows(CancelledException.class, () -> cam.explain(images));
    assertEquals(CancelledException.Reason.INTERRUPTED, e.reason());
    assertTrue(Thread.interrupted(), "the interrupt flag is still set");
    assertEquals(2, cam.explain(images).size());
  }

  /** {@code Future.cancel(true)} from another thread, while the listener holds the worker between two batches. */
  @Test
  @Timeout(60)
  void futureCancelStopsScoreCamAtItsNextRun() throws Exception {
    CountDownLatch firstBatch = new CountDownLatch(1);
    AtomicBoolean cancelled = new AtomicBoolean();
    List<Long> done = new ArrayList<>();
    AtomicReference<Throwable> thrown = new AtomicReference<>();
    CamExplainer cam = CamExplainer.of(model, scoreCam().withListener(p -> {
      done.add(p.done());
      firstBatch.countDown();
      while (!cancelled.get()) {
        Thread.onSpinWait(); // not an interruptible wait: that would clear the flag under test
      }
    }));
    ExecutorService pool = Executors.newSingleThreadExecutor();
    try {
      Future<?> f = pool.submit(() -> {
        try {
          cam.explain(images);
        } catch (Throwable t) {
          thrown.set(t);
        }
      });
      assertTrue(firstBatch.await(30, TimeUnit.SECONDS));
      f.cancel(true);
      cancelled.set(true);
    } finally {
      pool.shutdown();
      assertTrue(pool.awaitTermination(30, TimeUnit.SECONDS));
    }
    CancelledException e = assertInstanceOf(CancelledException.class, thrown.get());
    assertEquals(CancelledException.Reason.INTERRUPTED, e.reason());
    assertEquals(List.of(2L), done);
  }

  @Test
  void cancelledExplanationsLeaveNoNativeTensors() {
    CamExplainer warm = CamExplainer.of(model, scoreCam());
    warm.explain(images);
    long before = Pointer.totalCount();
    for (int i = 0; i < 30; i++) {
      Cancellation token = Cancellation.token();
      CamExplainer cam = CamExplainer.of(model, scoreCam().withCancellation(token).withListener(p -> token.cancel()));
      assertThrows(CancelledException.class, () -> cam.explain(images));
    }
    long after = Pointer.totalCount();
    assertTrue(after - before < 10, "native objects left by 30 cancelled Score-CAMs: " + before + " -> " + after);
  }
}
