package dev.convlens.finetune.training;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.convlens.bridge.FloatTensor;
import dev.convlens.bridge.KerasModel;
import dev.convlens.bridge.image.Preprocessing;
import dev.convlens.finetune.data.DatasetOptions;
import dev.convlens.finetune.data.ImageDataset;
import dev.convlens.finetune.data.LabelMode;
import dev.convlens.finetune.data.SyntheticImages;
import io.jhdf.HdfFile;
import io.jhdf.api.Dataset;
import io.jhdf.api.Group;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A trained classifier saved as Keras 2 .h5 and as SavedModel, read back by the loader and checked against Keras' layout. */
class SavingTest {
  @TempDir
  Path tmp;

  @Test
  void trainedClassifierRoundTripsThroughH5AndSavedModel() throws Exception {
    DatasetOptions o = DatasetOptions.of(16, 16, Preprocessing.RESCALE_1_255).withBatchSize(8);
    ImageDataset train = ImageDataset.fromDirectory(SyntheticImages.write(tmp.resolve("d"), List.of("a", "b"), 8, 16, 1), o);
    Path h5 = tmp.resolve("out/model.h5");
    Path savedModel = tmp.resolve("out/savedmodel");
    FloatTensor batch = train.batch(new int[] {0, 3, 9, 15}, 0).images();
    FloatTensor expected;
    Evaluation evaluation;
    try (KerasModel base = TinyBase.load(16);
         Classifier c = Classifier.create(base, Head.book().withUnits(8), train.classNames(), LabelMode.BINARY, 5)) {
      c.fit(train, null, Phase.headOnly(Optimizer.adam(1e-2), 2), null);
      c.fit(train, null, Phase.fineTune("c2", Optimizer.rmsprop(1e-3), 1), null);
      c.saveKerasH5(h5);
      c.exportSavedModel(savedModel);
      expected = c.predict(batch);
      evaluation = c.evaluate(train);
    }
    try (KerasModel fromH5 = KerasModel.load(h5); KerasModel fromSaved = KerasModel.load(savedModel)) {
      assertArrayEquals(expected.data(), fromH5.predict(batch).data(), 1e-6f);
      assertArrayEquals(expected.data(), fromSaved.predict(batch).data(), 1e-5f);
    }
    try (Classifier again = Classifier.load(h5)) {
      assertEquals("tiny", again.baseName());
      assertEquals(evaluation.loss(), again.evaluate(train).loss(), 1e-6);
      // a reloaded classifier trains again (its Dropout found from the config)
      again.fit(train, null, Phase.headOnly(Optimizer.sgd(1e-3), 1), null);
    }

    try (HdfFile f = new HdfFile(h5)) {
      assertEquals("tensorflow", f.getAttribute("backend").getData());
      JsonNode config = new ObjectMapper().readTree((String) f.getAttribute("model_config").getData());
      assertEquals("Functional", config.path("class_name").asText());
      JsonNode layers = config.path("config").path("layers");
      assertEquals(List.of("input_1", "tiny", "flatten", "dense", "dropout", "dense_1"),
          names(layers));
      // the last phase trained c2 and the head: Keras saves those flags
      JsonNode tiny = layers.get(1).path("config").path("layers");
      assertFalse(tiny.get(1).path("config").path("trainable").asBoolean());
      assertFalse(tiny.get(2).path("config").path("trainable").asBoolean());
      assertTrue(tiny.get(3).path("config").path("trainable").asBoolean());
      Group weights = (Group) f.getByPath("model_weights");
      assertEquals(List.of("tiny", "dense", "dense_1"), Arrays.asList((String[]) weights.getAttribute("layer_names").getData()));
      // Keras 2 order in a nested model: trainable weights first, then frozen ones and moving statistics
      assertEquals(List.of("c2/kernel:0", "c2/bias:0", "c1/kernel:0", "c1/bias:0", "bn1/gamma:0", "bn1/beta:0",
          "bn1/moving_mean:0", "bn1/moving_variance:0"),
          Arrays.asList((String[]) ((Group) weights.getChild("tiny")).getAttribute("weight_names").getData()));
      Dataset kernel = (Dataset) f.getByPath("model_weights/dense_1/dense_1/kernel:0");
      assertArrayEquals(new int[] {8, 1}, kernel.getDimensions());
    }
  }

  private static List<String> names(JsonNode layers) {
    return java.util.stream.StreamSupport.stream(layers.spliterator(), false).map(l -> l.path("name").asText()).toList();
  }
}
