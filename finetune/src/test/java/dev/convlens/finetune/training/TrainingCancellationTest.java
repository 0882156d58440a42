package dev.convlens.finetune.training;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convlens.bridge.Cancellation;
import dev.convlens.bridge.CancelledException;
import dev.convlens.bridge.FloatTensor;
import dev.convlens.bridge.KerasModel;
import dev.convlens.bridge.LoadOptions;
import dev.convlens.bridge.applications.MobileNet;
import dev.convlens.bridge.image.Preprocessing;
import dev.convlens.bridge.spi.ModelVariable;
import dev.convlens.finetune.data.DatasetOptions;
import dev.convlens.finetune.data.ImageDataset;
import dev.convlens.finetune.data.LabelMode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Training, feature extraction and evaluation stop between batches when the phase's cancellation
 * says so, and leave a usable model with the weights of the last step done. MobileNet-0.25 at
 * 32x32 with random weights, 32 generated images in batches of 8 (4 steps per epoch).
 */
class TrainingCancellationTest {
  private static KerasModel base;
  private static ImageDataset train;

  @BeforeAll
  static void setUp() {
    int[] classes = new int[32];
    for (int i = 0; i < classes.length; i++) {
      classes[i] = i % 2;
    }
    DatasetOptions o = DatasetOptions.of(32, 32, Preprocessing.TF).withBatchSize(8).withSeed(1);
    train = ImageDataset.fromImages(List.of("dark", "bright"), classes, i -> image(i, classes[i]), o);
    var config = MobileNet.Options.defaults().withAlpha(0.25).withInputSize(32).withIncludeTop(false)
        .withImagenetWeights(false).config();
    base = KerasModel.fromConfig(config, LoadOptions.defaults().withRandomWeights(1));
  }

  @AfterAll
  static void close() {
    base.close();
  }

  @AfterEach
  void clearInterrupt() {
    Thread.interrupted();
  }

  private static Classifier classifier() {
    return Classifier.create(base, Head.book().withUnits(8), train.classNames(), LabelMode.BINARY, 5);
  }

  private static FloatTensor image(int index, int cls) {
    SplittableRandom r = new SplittableRandom(index);
    float[] v = new float[32 * 32 * 3];
    for (int i = 0; i < v.length; i++) {
      v[i] = (float) (cls * 120 + r.nextDouble() * 135);
    }
    return new FloatTensor(new long[] {32, 32, 3}, v);
  }

  private static List<float[]> values(Map<ModelVariable, FloatTensor> vars) {
    return vars.values().stream().map(FloatTensor::data).toList();
  }

  @Test
  void cancellingAfterTheSixthStepKeepsTheWeightsOfThatStep() {
    try (Classifier c = classifier()) {
      Phase phase = Phase.fineTune("conv_dw_13", Optimizer.sgd(1e-2), 3).withCachePrefix(false);
      List<ModelVariable> vars = phase.trainable().select(c.model(), c.baseName());
      Cancellation token = Cancellation.token();
      List<TrainingEvent.BatchDone> steps = new ArrayList<>();
      List<List<float[]>> atCancel = new ArrayList<>();
      CancelledException e = assertThrows(CancelledException.class, () -> c.fit(train, train,
          phase.withCancellation(token), ev -> {
            if (ev instanceof TrainingEvent.BatchDone b) {
              steps.add(b);
              if (steps.size() == 6) {
                atCancel.add(values(c.model().graph().readVariables(vars)));
                token.cancel();
              }
            }
          }));
      assertEquals(CancelledException.Reason.CANCELLED, e.reason());
      assertEquals(6, steps.size(), "epoch 1's 4 steps and 2 of epoch 2");
      assertEquals(2, steps.get(5).epoch());
      List<float[]> after = values(c.model().graph().readVariables(vars));
      for (int i = 0; i < after.size(); i++) {
        assertArrayEquals(atCancel.get(0).get(i), after.get(i), "no step ran after the cancel: " + vars.get(i).name());
      }
      // the classifier goes on working: evaluation and another fit
      assertEquals(32, c.evaluate(train).samples());
      assertEquals(1, c.fit(train, null, phase.withEpochs(1), null).epochs().size());
    }
  }

  @Test
  void featureExtractionStopsWhileCachingAndEvaluationBetweenBatches() {
    try (Classifier c = classifier()) {
      Cancellation token = Cancellation.token();
      List<TrainingEvent> events = new ArrayList<>();
      assertThrows(CancelledException.class, () -> c.fit(train, train,
          Phase.headOnly(Optimizer.rmsprop(1e-3), 2).withCancellation(token), ev -> {
            events.add(ev);
            if (ev instanceof TrainingEvent.Caching k && k.done() == 8) {
              token.cancel();
            }
          }));
      assertEquals(1, events.size(), "stopped after the first cached batch: " + events);
      assertThrows(CancelledException.class, () -> c.evaluate(train, token));
      assertTrue(Double.isFinite(c.evaluate(train).loss()));
    }
  }

  @Test
  void aPassedDeadlineStopsBeforeAnyStepAndChangesNoWeight() {
    try (Classifier c = classifier()) {
      Phase phase = Phase.fineTune("conv_dw_13", Optimizer.sgd(1e-2), 1).withCachePrefix(false);
      List<ModelVariable> vars = phase.trainable().select(c.model(), c.baseName());
      List<float[]> before = values(c.model().graph().readVariables(vars));
      List<TrainingEvent> events = new ArrayList<>();
      CancelledException e = assertThrows(CancelledException.class,
          () -> c.fit(train, null, phase.withCancellation(Cancellation.after(Duration.ZERO)), events::add));
      assertEquals(CancelledException.Reason.DEADLINE, e.reason());
      assertTrue(events.isEmpty(), events.toString());
      List<float[]> after = values(c.model().graph().readVariables(vars));
      for (int i = 0; i < after.size(); i++) {
        assertArrayEquals(before.get(i), after.get(i));
      }
      assertEquals(0, c.epochsTrained());
    }
  }

  @Test
  void anInterruptedThreadStopsTheFitAndKeepsTheFlag() {
    try (Classifier c = classifier()) {
      List<TrainingEvent> events = new ArrayList<>();
      Thread.currentThread().interrupt();
      CancelledException e = assertThrows(CancelledException.class,
          () -> c.fit(train, train, Phase.headOnly(Optimizer.rmsprop(1e-3), 1), events::add));
      assertEquals(CancelledException.Reason.INTERRUPTED, e.reason());
      assertTrue(Thread.interrupted());
      assertTrue(events.isEmpty(), events.toString());
    }
  }
}
