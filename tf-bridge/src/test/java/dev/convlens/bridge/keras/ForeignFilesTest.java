package dev.convlens.bridge.keras;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convlens.bridge.FloatTensor;
import dev.convlens.bridge.KerasModel;
import dev.convlens.bridge.LoadOptions;
import dev.convlens.bridge.ModelFormatException;
import dev.convlens.bridge.fixtures.ConfigDialect;
import dev.convlens.bridge.fixtures.FixtureModels;
import dev.convlens.bridge.fixtures.KerasModelFixture;
import dev.convlens.bridge.fixtures.KerasZipWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The files people have that are not quite what the loader expects: a .keras saved on Windows
 * (backslashes in its HDF5 group names) loads; TF.js models, subclassed models and SavedModels
 * without Keras metadata are refused in one line that says what they are and what to do.
 */
class ForeignFilesTest {
  @TempDir Path dir;

  @Test
  void aKerasZipSavedOnWindowsLoadsLikeTheSameModelSavedElsewhere() {
    KerasModelFixture f = FixtureModels.convnetWithAugmentation(ConfigDialect.KERAS_2_SAVING_V3);
    Path windows = dir.resolve("windows.keras");
    new KerasZipWriter().windowsPaths(true).write(f, windows);
    float[] x = new float[80 * 80 * 3];
    SplittableRandom r = new SplittableRandom(3);
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) r.nextDouble() * 255;
    }
    FloatTensor input = new FloatTensor(new long[] {1, 80, 80, 3}, x);
    try (KerasModel reference = KerasModel.fromConfig(f.modelConfig().toString(), f.weightSource(), LoadOptions.defaults());
         KerasModel m = KerasModel.load(windows)) {
      assertArrayEquals(reference.predict(input).data(), m.predict(input).data());
    }
  }

  @Test
  void tensorFlowJsModelsAreNamedWithTheWayBack() throws IOException {
    Path layers = Files.writeString(dir.resolve("model.json"), "{\"format\": \"layers-model\", \"generatedBy\":"
        + " \"keras v2.4.0\", \"convertedBy\": \"TensorFlow.js Converter v3.0.0\", \"modelTopology\": {\"class_name\":"
        + " \"Sequential\", \"config\": {\"name\": \"s\", \"layers\": []}}, \"weightsManifest\": []}");
    String m = assertThrows(ModelFormatException.class, () -> KerasModel.load(layers)).getMessage();
    assertTrue(m.contains("TensorFlow.js layers model") && m.contains("tensorflowjs_converter"), m);
    Path graph = Files.writeString(dir.resolve("graph.json"), "{\"format\": \"graph-model\", \"modelTopology\":"
        + " {\"node\": []}, \"weightsManifest\": []}");
    String g = assertThrows(ModelFormatException.class, () -> KerasModel.load(graph)).getMessage();
    assertTrue(g.contains("TensorFlow.js graph model"), g);
  }

  @Test
  void aSubclassedModelSaysWhatCanBeRebuilt() throws IOException {
    Path json = Files.writeString(dir.resolve("subclassed.json"), "{\"class_name\": \"MyModel\", \"config\":"
        + " {\"name\": \"my_model\", \"trainable\": true}}");
    String m = assertThrows(ModelFormatException.class, () -> KerasModel.load(json)).getMessage();
    assertTrue(m.contains("subclassed model") && m.contains("'MyModel'") && m.contains("Functional"), m);
  }

  @Test
  void aSavedModelWithoutKerasMetadataIsNamedAsSuch() throws IOException {
    Path saved = Files.createDirectories(dir.resolve("plain"));
    Files.write(saved.resolve("saved_model.pb"), new byte[] {8, 1});
    String m = assertThrows(ModelFormatException.class, () -> KerasModel.load(saved)).getMessage();
    assertTrue(m.contains("a TensorFlow SavedModel without Keras metadata"), m);
    assertTrue(m.lines().count() == 1, m);
    List.of(m).forEach(line -> assertTrue(line.length() < 300, line));
  }
}
