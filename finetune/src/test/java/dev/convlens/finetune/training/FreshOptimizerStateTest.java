package dev.convlens.finetune.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convlens.bridge.FloatTensor;
import dev.convlens.bridge.KerasModel;
import dev.convlens.bridge.image.Preprocessing;
import dev.convlens.bridge.spi.ModelVariable;
import dev.convlens.finetune.data.DatasetOptions;
import dev.convlens.finetune.data.ImageDataset;
import dev.convlens.finetune.data.LabelMode;
import dev.convlens.finetune.data.SyntheticImages;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A second fit with the same configuration reuses the training ops but starts from fresh optimizer
 * slots, as a recompiled Keras model does. RMSprop's first step from a zero accumulator moves a
 * weight by {@code lr g / (sqrt(0.1 g^2) + eps)}, i.e. {@code lr / sqrt(0.1) = 3.1623 lr} whenever
 * {@code |g|} is well above {@code eps}; a stale accumulator (0.9 of an earlier epoch's squares
 * added under the root) would make the step smaller.
 */
class FreshOptimizerStateTest {
  @TempDir
  static Path tmp;

  @Test
  void aSecondFitReusesTheOpsWithZeroedSlots() throws Exception {
    Path dir = SyntheticImages.write(tmp.resolve("d"), List.of("a", "b"), 12, 16, 1);
    DatasetOptions o = DatasetOptions.of(16, 16, Preprocessing.RESCALE_1_255).withSeed(3);
    ImageDataset small = ImageDataset.fromDirectory(dir, o.withBatchSize(8));
    ImageDataset oneBatch = ImageDataset.fromDirectory(dir, o.withBatchSize(24));
    double lr = 1e-3;
    Phase phase = Phase.headOnly(Optimizer.rmsprop(lr), 3).withSeed(2);
    try (KerasModel base = TinyBase.load(16);
         Classifier c = Classifier.create(base, Head.book().withUnits(8), small.classNames(), LabelMode.BINARY, 4)) {
      c.fit(small, null, phase, null);
      int ops = c.model().graph().operationCount();
      List<ModelVariable> head = c.model().graph().variables().stream()
          .filter(v -> !v.layerPath().get(0).equals("tiny")).toList();
      Map<ModelVariable, FloatTensor> before = c.model().graph().readVariables(head);
      c.fit(oneBatch, null, phase.withEpochs(1), null);
      assertEquals(ops, c.model().graph().operationCount(), "the same configuration added ops");
      Map<ModelVariable, FloatTensor> after = c.model().graph().readVariables(head);
      double expected = lr / Math.sqrt(1 - Optimizer.RMSPROP_RHO);
      int moved = 0;
      int fresh = 0;
      for (ModelVariable v : head) {
        float[] a = before.get(v).data();
        float[] b = after.get(v).data();
        for (int i = 0; i < a.length; i++) {
          double step = Math.abs((double) b[i] - a[i]);
          assertTrue(step <= expected * 1.001, v.name() + "[" + i + "] moved by " + step + " > " + expected);
          if (step > 0.01 * expected) {
            moved++;
            fresh += Math.abs(step - expected) < 0.03 * expected ? 1 : 0;
          }
        }
      }
      assertTrue(moved > 100, "only " + moved + " head weights moved");
      assertTrue(fresh >= 0.9 * moved, fresh + " of " + moved + " moved weights took the fresh-slot step " + expected);
    }
  }
}
