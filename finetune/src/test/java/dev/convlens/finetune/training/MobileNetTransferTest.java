package dev.convlens.finetune.training;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convlens.bridge.FloatTensor;
import dev.convlens.bridge.KerasModel;
import dev.convlens.bridge.LoadOptions;
import dev.convlens.bridge.applications.MobileNet;
import dev.convlens.bridge.fixtures.SharedData;
import dev.convlens.bridge.image.Preprocessing;
import dev.convlens.finetune.data.DatasetOptions;
import dev.convlens.finetune.data.ImageDataset;
import dev.convlens.finetune.data.LabelMode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/**
 * Real transfer learning: MobileNet-0.25 with its ImageNet weights as the base, the book's small
 * Dogs-vs-Cats split (1000 + 1000 training, 500 + 500 validation images). Feature extraction must
 * reach 0.88 validation accuracy (a logistic regression on the pooled features gets about 0.90)
 * and fine-tuning the last depthwise/pointwise block must not end below it; the trained model must
 * come back from its .h5 and SavedModel with the same predictions.
 */
class MobileNetTransferTest {
  static final Path OUT = Path.of("target", "mobilenet-transfer");

  @Test
  void featureExtractionThenFineTuningOnCatsAndDogs() throws Exception {
    Path weights = SharedData.require("models/keras-applications/mobilenet_2_5_128_tf.h5");
    Path data = SharedData.require("cats_and_dogs_small");
    long t0 = System.nanoTime();
    DatasetOptions options = DatasetOptions.of(128, 128, Preprocessing.TF).withBatchSize(32).withSeed(1);
    ImageDataset train = ImageDataset.fromDirectory(data.resolve("train"), options);
    ImageDataset validation = ImageDataset.fromDirectory(data.resolve("validation"), options.forEvaluation());
    System.out.printf(Locale.ROOT, "read %d + %d images in %.1f s%n", train.size(), validation.size(), (System.nanoTime() - t0) / 1e9);
    TrainingListener log = e -> {
      if (e instanceof TrainingEvent.EpochDone d) {
        EpochMetrics m = d.metrics();
        System.out.printf(Locale.ROOT, "%s %2d loss %.4f acc %.4f val_loss %.4f val_acc %.4f %.2f s%n", m.phase(), m.epoch(),
            m.loss(), m.accuracy(), m.valLoss(), m.valAccuracy(), m.seconds());
      } else if (e instanceof TrainingEvent.PhaseStarted p) {
        System.out.println(p);
      } else if (e instanceof TrainingEvent.Note n) {
        System.out.println(n.message());
      }
    };
    var baseOptions = MobileNet.Options.defaults().withAlpha(0.25).withInputSize(128).withIncludeTop(false);
    try (KerasModel base = KerasModel.fromConfig(baseOptions.config(), LoadOptions.defaults().withWeights(weights));
         Classifier c = Classifier.create(base, Head.book(), train.classNames(), LabelMode.BINARY, 1)) {
      long t1 = System.nanoTime();
      History extraction = c.fit(train, validation, Phase.headOnly(Optimizer.rmsprop(2e-5), 30)
          .withName("feature_extraction"), log);
      System.out.printf(Locale.ROOT, "feature extraction %.1f s%n", (System.nanoTime() - t1) / 1e9);
      double fe = extraction.last().valAccuracy();
      long t2 = System.nanoTime();
      History fine = c.fit(train, validation, Phase.fineTune("conv_dw_13", Optimizer.rmsprop(1e-5), 10), log);
      System.out.printf(Locale.ROOT, "fine tuning %.1f s%n", (System.nanoTime() - t2) / 1e9);
      double ft = fine.last().valAccuracy();
      History all = extraction.then(fine);
      Files.createDirectories(OUT);
      all.plot(OUT.resolve("curves.png"));
      all.writeCsv(OUT.resolve("history.csv"));
      assertTrue(fe >= 0.88, "feature extraction validation accuracy " + fe);
      assertTrue(ft >= fe, "fine-tuning ended at " + ft + " below feature extraction's " + fe);

      c.saveKerasH5(OUT.resolve("model.h5"));
      c.exportSavedModel(OUT.resolve("savedmodel"));
      FloatTensor batch = validation.batch(new int[] {0, 1, 2, 500, 501, 502}, 0).images();
      FloatTensor expected = c.predict(batch);
      try (KerasModel h5 = KerasModel.load(OUT.resolve("model.h5"));
           KerasModel saved = KerasModel.load(OUT.resolve("savedmodel"))) {
        assertArrayEquals(expected.data(), h5.predict(batch).data(), 1e-5f);
        assertArrayEquals(expected.data(), saved.predict(batch).data(), 1e-5f);
      }
    }
  }
}
