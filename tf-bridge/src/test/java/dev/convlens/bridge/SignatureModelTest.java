package dev.convlens.bridge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convlens.bridge.fixtures.ConfigDialect;
import dev.convlens.bridge.fixtures.FixtureModels;
import dev.convlens.bridge.fixtures.KerasModelFixture;
import dev.convlens.bridge.fixtures.TestArrays;
import dev.convlens.bridge.keras.savedmodel.ConvlensExport;
import dev.convlens.bridge.spi.ExtensionKey;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A SavedModel without Keras metadata (here: a convlens export with its Keras manifest removed, so
 * only TensorFlow's serving signature is left) loads for predict only: the same predictions as the
 * model it was saved from; layers, gradients and exports are refused with the reason.
 */
class SignatureModelTest {
  @TempDir Path dir;

  @Test
  void predictsThroughTheServingSignatureAndRefusesTheRest() throws Exception {
    KerasModelFixture f = FixtureModels.smallSequential(ConfigDialect.KERAS_2);
    Path plain = dir.resolve("plain");
    FloatTensor x = TestArrays.random(new long[] {-1, 50, 50, 3}, 2, 50, 7);
    FloatTensor expected;
    try (KerasModel original = KerasModel.fromConfig(f.modelConfig().toString(), f.weightSource(),
        LoadOptions.defaults())) {
      expected = original.predict(x);
      original.exportSavedModel(plain);
    }
    Files.delete(plain.resolve(ConvlensExport.MANIFEST));
    try (KerasModel m = KerasModel.load(plain)) {
      assertEquals(1, m.inputNames().size());
      FloatTensor out = m.predict(x);
      assertEquals(java.util.Arrays.toString(expected.shape()), java.util.Arrays.toString(out.shape()));
      for (int i = 0; i < out.size(); i++) {
        assertEquals(expected.data()[i], out.data()[i], 1e-6, "prediction " + i);
      }
      assertTrue(m.summary().contains("predict only"), m.summary());
      for (Runnable refused : List.<Runnable>of(
          m::layers,
          () -> m.graph().extension(ExtensionKey.of(String.class, "x"), scope -> "built"),
          () -> m.activations(x, List.of("conv2d_4")),
          () -> m.exportSavedModel(dir.resolve("again")))) {
        InvalidInputException e = assertThrows(InvalidInputException.class, refused::run);
        assertTrue(e.getMessage().contains("predict only") && e.getMessage().contains("Keras file"), e.getMessage());
      }
    }
  }
}
