package dev.convlens.finetune.training;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convlens.bridge.FloatTensor;
import dev.convlens.bridge.InvalidInputException;
import dev.convlens.bridge.KerasModel;
import dev.convlens.bridge.image.Preprocessing;
import dev.convlens.bridge.spi.ModelVariable;
import dev.convlens.finetune.data.DatasetOptions;
import dev.convlens.finetune.data.ImageDataset;
import dev.convlens.finetune.data.LabelMode;
import dev.convlens.finetune.data.SyntheticImages;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClassifierTest {
  @TempDir
  static Path tmp;
  static ImageDataset train;
  static ImageDataset validation;

  @BeforeAll
  static void data() throws Exception {
    DatasetOptions o = DatasetOptions.of(16, 16, Preprocessing.RESCALE_1_255).withBatchSize(8).withSeed(3);
    train = ImageDataset.fromDirectory(SyntheticImages.write(tmp.resolve("train"), List.of("a", "b"), 12, 16, 1), o);
    validation = ImageDataset.fromDirectory(SyntheticImages.write(tmp.resolve("val"), List.of("a", "b"), 6, 16, 2),
        o.forEvaluation());
  }

  static Classifier create(long seed) {
    try (KerasModel base = TinyBase.load(16)) {
      return Classifier.create(base, Head.book().withUnits(8), train.classNames(), LabelMode.BINARY, seed);
    }
  }

  static Map<ModelVariable, FloatTensor> weights(Classifier c) {
    return c.model().graph().readVariables(c.model().graph().variables());
  }

  @Test
  void frozenWeightsStayBitIdenticalAndUnfrozenOnesChange() {
    try (Classifier c = create(7)) {
      Map<ModelVariable, FloatTensor> start = weights(c);
      c.fit(train, validation, Phase.headOnly(Optimizer.rmsprop(1e-3), 2), null);
      Map<ModelVariable, FloatTensor> afterHead = weights(c);
      for (ModelVariable v : c.model().graph().variables()) {
        boolean base = v.layerPath().get(0).equals("tiny");
        assertEquals(base, Arrays.equals(start.get(v).data(), afterHead.get(v).data()),
            v.name() + (base ? " (frozen) changed" : " (head) did not change"));
      }
      c.fit(train, validation, Phase.fineTune("c2", Optimizer.adam(1e-3), 2), null);
      Map<ModelVariable, FloatTensor> afterFine = weights(c);
      for (ModelVariable v : c.model().graph().variables()) {
        String layer = v.layer();
        boolean frozen = layer.equals("tiny/c1") || layer.equals("tiny/bn1");
        assertEquals(frozen, Arrays.equals(start.get(v).data(), afterFine.get(v).data()),
            v.name() + (frozen ? " (frozen) changed" : " (unfrozen) did not change"));
      }
      assertEquals(4, c.epochsTrained());
    }
  }

  @Test
  void cachedPrefixTrainsLikeFullRuns() {
    List<String> cuts = new ArrayList<>();
    TrainingListener listener = e -> {
      if (e instanceof TrainingEvent.PhaseStarted p) {
        cuts.add(p.cutLayer());
      }
    };
    Phase phase = Phase.fineTune("c2", Optimizer.rmsprop(1e-3), 2).withSeed(5);
    try (Classifier cached = create(11); Classifier full = create(11)) {
      History a = cached.fit(train, validation, phase, listener);
      History b = full.fit(train, validation, phase.withCachePrefix(false), listener);
      assertEquals(Arrays.asList("tiny/bn1", null), cuts);
      for (int i = 0; i < 2; i++) {
        assertEquals(a.epochs().get(i).loss(), b.epochs().get(i).loss(), 1e-5);
        assertEquals(a.epochs().get(i).valLoss(), b.epochs().get(i).valLoss(), 1e-5);
      }
      Map<ModelVariable, FloatTensor> wa = weights(cached);
      Map<ModelVariable, FloatTensor> wb = weights(full);
      for (int i = 0; i < cached.model().graph().variables().size(); i++) {
        assertArrayEquals(wa.get(cached.model().graph().variables().get(i)).data(), wb.get(full.model().graph().variables().get(i)).data(),
            1e-5f, cached.model().graph().variables().get(i).name());
      }
    }
  }

  @Test
  void headOnlyCachesTheBaseOutput() {
    List<String> cuts = new ArrayList<>();
    try (Classifier c = create(1)) {
      c.fit(train, null, Phase.headOnly(Optimizer.sgd(1e-2), 1), e -> {
        if (e instanceof TrainingEvent.PhaseStarted p) {
          cuts.add(p.cutLayer());
        }
      });
      // with augmentation the training data cannot be cached
      c.fit(train.withOptions(train.options().withAugmentation(dev.convlens.finetune.data.Augmentation.book())), null,
          Phase.headOnly(Optimizer.sgd(1e-2), 1), e -> {
            if (e instanceof TrainingEvent.PhaseStarted p) {
              cuts.add(p.cutLayer());
            }
          });
    }
    // the last layer before the first trainable one: the (weightless) Flatten on the base's output
    assertEquals("flatten", cuts.get(0));
    assertNull(cuts.get(1));
  }

  @Test
  void learnsASeparableProblemAndLossIsTheCrossentropyOfItsPredictions() {
    try (Classifier c = create(3)) {
      Evaluation before = c.evaluate(validation);
      History h = c.fit(train, validation, Phase.headOnly(Optimizer.adam(1e-2), 8), null);
      Evaluation after = c.evaluate(validation);
      assertTrue(after.loss() < before.loss(), before + " -> " + after);
      assertTrue(after.accuracy() >= 0.9, "validation accuracy " + after.accuracy() + ", history " + h.toCsv());
      assertEquals(h.last().valLoss(), after.loss(), 1e-5);
      // Keras' binary crossentropy of the predicted probabilities, computed here in double precision
      double sum = 0;
      int correct = 0;
      for (int i = 0; i < validation.size(); i++) {
        double p = c.predict(validation.image(i, 0)).data()[0];
        int y = validation.classOf(i);
        sum += -(y * Math.log(p) + (1 - y) * Math.log(1 - p));
        correct += (p > 0.5 ? 1 : 0) == y ? 1 : 0;
      }
      assertEquals(sum / validation.size(), after.loss(), 1e-4);
      assertEquals((double) correct / validation.size(), after.accuracy(), 1e-9);
      assertEquals(validation.size(), after.samples());
    }
  }

  @Test
  void earlyStoppingRestoresTheBestEpochsWeights() throws Exception {
    // validation labels swapped: the better the model fits the training data, the worse its validation loss
    ImageDataset swapped = ImageDataset.fromDirectory(SyntheticImages.write(tmp.resolve("swapped"), List.of("b", "a"), 6,
        16, 2), validation.options());
    List<String> notes = new ArrayList<>();
    try (Classifier c = create(9)) {
      History h = c.fit(train, swapped, Phase.headOnly(Optimizer.adam(1e-2), 8)
          .withEarlyStopping(EarlyStopping.onValidationLoss(2)), e -> {
            if (e instanceof TrainingEvent.Note n) {
              notes.add(n.message());
            }
          });
      assertEquals(3, h.epochs().size(), h.toCsv());
      assertTrue(notes.get(0).contains("early stop after epoch 3"), notes.toString());
      assertTrue(notes.get(1).contains("restored the weights of epoch 1"), notes.toString());
      assertEquals(h.epochs().get(0).valLoss(), c.evaluate(swapped).loss(), 1e-6);
    }
  }

  @Test
  void categoricalHeadWithGlobalPooling() throws Exception {
    DatasetOptions o = DatasetOptions.of(16, 16, Preprocessing.RESCALE_1_255).withBatchSize(6).withLabelMode(LabelMode.CATEGORICAL);
    ImageDataset three = ImageDataset.fromDirectory(SyntheticImages.write(tmp.resolve("three"), List.of("x", "y", "z"), 6,
        16, 4), o);
    try (KerasModel base = TinyBase.load(16);
         Classifier c = Classifier.create(base, new Head(Head.Pooling.GLOBAL_AVERAGE, 0, 0), three.classNames(),
             LabelMode.CATEGORICAL, 2)) {
      assertEquals(3, c.outputs());
      Evaluation before = c.evaluate(three);
      c.fit(three, null, Phase.of("all", Trainable.all(), Optimizer.adam(3e-2), 6), null);
      Evaluation after = c.evaluate(three);
      assertTrue(after.loss() < before.loss(), before + " -> " + after);
      double sum = 0;
      for (int i = 0; i < three.size(); i++) {
        FloatTensor p = c.predict(three.image(i, 0));
        sum += -Math.log(p.data()[three.classOf(i)]);
      }
      assertEquals(sum / three.size(), after.loss(), 1e-4);
    }
  }

  @Test
  void rejectsDataThatDoesNotFitBeforeTraining() throws Exception {
    try (Classifier c = create(1)) {
      ImageDataset big = ImageDataset.fromDirectory(tmp.resolve("train"),
          DatasetOptions.of(20, 20, Preprocessing.RESCALE_1_255));
      InvalidInputException e = assertThrows(InvalidInputException.class,
          () -> c.fit(big, null, Phase.headOnly(Optimizer.sgd(0.1), 1), null));
      assertTrue(e.getMessage().contains("20x20"), e.getMessage());
      assertThrows(InvalidInputException.class, () -> c.fit(train, null, Phase.fineTune("nope", Optimizer.sgd(0.1), 1), null));
      assertEquals(0, c.epochsTrained());
      assertFalse(c.config().contains("\"trainable\":false"));
    }
  }
}
