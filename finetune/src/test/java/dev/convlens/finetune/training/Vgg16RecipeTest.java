package dev.convlens.finetune.training;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convlens.bridge.FloatTensor;
import dev.convlens.bridge.KerasModel;
import dev.convlens.bridge.LoadOptions;
import dev.convlens.bridge.applications.Vgg16;
import dev.convlens.bridge.image.Preprocessing;
import dev.convlens.finetune.data.Augmentation;
import dev.convlens.finetune.data.DatasetOptions;
import dev.convlens.finetune.data.ImageDataset;
import dev.convlens.finetune.data.LabelMode;
import dev.convlens.finetune.data.SyntheticImages;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The book's recipe end to end on the real VGG16 architecture (synthetic weights, 32x32 inputs, a
 * few images): Flatten + Dense(256) + Dropout + Dense(1) on the frozen base with RMSprop 2e-5,
 * then block5_conv1 onward unfrozen with RMSprop 1e-5 on augmented images, saved and reloaded.
 */
class Vgg16RecipeTest {
  @TempDir
  Path tmp;

  @Test
  void theBooksRecipeRunsEndToEnd() throws Exception {
    DatasetOptions o = DatasetOptions.of(32, 32, Preprocessing.CAFFE).withBatchSize(4).withSeed(2);
    ImageDataset train = ImageDataset.fromDirectory(SyntheticImages.write(tmp.resolve("train"), List.of("cats", "dogs"), 6,
        40, 1), o);
    ImageDataset validation = ImageDataset.fromDirectory(SyntheticImages.write(tmp.resolve("val"), List.of("cats", "dogs"),
        3, 40, 2), o.forEvaluation());
    List<String> cuts = new ArrayList<>();
    TrainingListener listener = e -> {
      if (e instanceof TrainingEvent.PhaseStarted p) {
        cuts.add(p.cutLayer());
      }
    };
    var config = Vgg16.Options.defaults().withIncludeTop(false).withInputSize(32, 32).withImagenetWeights(false).config();
    try (KerasModel base = KerasModel.fromConfig(config, LoadOptions.defaults().withRandomWeights(3));
         Classifier c = Classifier.create(base, Head.book(), train.classNames(), LabelMode.BINARY, 4)) {
      History h = c.fit(train, validation, Phase.headOnly(Optimizer.rmsprop(2e-5), 2), listener);
      h = h.then(c.fit(train.withOptions(train.options().withAugmentation(Augmentation.book())), validation,
          Phase.fineTune("block5_conv1", Optimizer.rmsprop(1e-5), 1), listener));
      assertEquals(3, h.epochs().size());
      assertTrue(h.epochs().stream().allMatch(m -> Double.isFinite(m.loss()) && Double.isFinite(m.valLoss())), h.toCsv());
      assertEquals("flatten", cuts.get(0));
      assertNull(cuts.get(1)); // augmented: every step runs the whole model
      assertEquals(3, c.epochsTrained());
      h.plot(tmp.resolve("curves.png"));
      Path file = tmp.resolve("vgg.h5");
      c.saveKerasH5(file);
      FloatTensor x = validation.batch(new int[] {0, 5}, 0).images();
      try (KerasModel back = KerasModel.load(file)) {
        assertArrayEquals(c.predict(x).data(), back.predict(x).data(), 1e-6f);
      }
    }
  }
}
