package dev.convlens.bridge.graph;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convlens.bridge.FloatTensor;
import dev.convlens.bridge.InvalidInputException;
import dev.convlens.bridge.KerasModel;
import dev.convlens.bridge.LoadOptions;
import dev.convlens.bridge.fixtures.ConfigDialect;
import dev.convlens.bridge.fixtures.FixtureBuilder;
import dev.convlens.bridge.fixtures.KerasFixtureFiles;
import dev.convlens.bridge.fixtures.KerasModelFixture;
import dev.convlens.bridge.graph.NaiveOps.T;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A functional model with two inputs and two outputs (a classifier head and a regression head on a
 * joint representation), from an HDF5 file and a .keras zip: named inputs in, every output out,
 * each equal to the naive computation from the fixture's weights.
 */
class MultiInputOutputTest {
  @TempDir Path dir;

  @ParameterizedTest
  @EnumSource(value = ConfigDialect.class, names = {"KERAS_2", "KERAS_3"})
  void namedInputsInEveryOutputOut(ConfigDialect dialect) {
    KerasModelFixture f = FixtureBuilder.functional("two_heads").dialect(dialect).seed(41)
        .input("image_features", 4)
        .dense("a", 5, "relu")
        .input("metadata", 3)
        .dense("b", 2, "tanh")
        .concatenate("joint", -1, "a", "b")
        .dense("label", 3, "softmax")
        .from("joint").dense("score", 1, "linear")
        .outputs("label", "score")
        .build();
    FloatTensor x1 = LayerSemanticsTest.random(1, 2, 4);
    FloatTensor x2 = LayerSemanticsTest.random(2, 2, 3);
    T a = NaiveOps.activation("relu", NaiveOps.dense(T.of(x1), w(f, "a", 0), w(f, "a", 1)));
    T b = NaiveOps.activation("tanh", NaiveOps.dense(T.of(x2), w(f, "b", 0), w(f, "b", 1)));
    T joint = concatRows(a, b);
    T label = NaiveOps.softmax(NaiveOps.dense(joint, w(f, "label", 0), w(f, "label", 1)));
    T score = NaiveOps.dense(joint, w(f, "score", 0), w(f, "score", 1));
    for (Path file : List.of(KerasFixtureFiles.writeKeras2FullH5(f, dir.resolve(dialect + ".h5")),
        KerasFixtureFiles.writeKerasZip(f, dir.resolve(dialect + ".keras")))) {
      try (KerasModel m = KerasModel.load(file, LoadOptions.defaults())) {
        assertEquals(List.of("image_features", "metadata"), m.inputNames(), file.toString());
        assertEquals(List.of("label", "score"), m.outputNames());
        assertEquals(List.of(-1L, 3L), java.util.Arrays.stream(m.inputShapes().get("metadata")).boxed().toList());
        Map<String, FloatTensor> out = m.predict(Map.of("metadata", x2, "image_features", x1));
        close(label, out.get("label"), file + " label");
        close(score, out.get("score"), file + " score");
        close(joint, m.activations(Map.of("metadata", x2, "image_features", x1), List.of("joint")).get("joint"),
            file + " joint");

        InvalidInputException single = assertThrows(InvalidInputException.class, () -> m.predict(x1));
        assertTrue(single.getMessage().contains("2 inputs (image_features, metadata)"), single.getMessage());
        assertThrows(InvalidInputException.class, m::inputShape);
        InvalidInputException missing = assertThrows(InvalidInputException.class,
            () -> m.predict(Map.of("image_features", x1)));
        assertTrue(missing.getMessage().contains("[image_features, metadata]"), missing.getMessage());
        InvalidInputException batches = assertThrows(InvalidInputException.class,
            () -> m.predict(Map.of("image_features", x1, "metadata", x2.slice(0))));
        assertTrue(batches.getMessage().contains("batch"), batches.getMessage());
      }
    }
  }

  /** [N, p] and [N, q] side by side: [N, p + q]. */
  private static T concatRows(T a, T b) {
    int n = (int) a.shape()[0];
    int p = (int) a.shape()[1];
    int q = (int) b.shape()[1];
    T y = T.zeros(n, p + q);
    for (int r = 0; r < n; r++) {
      System.arraycopy(a.v(), r * p, y.v(), r * (p + q), p);
      System.arraycopy(b.v(), r * q, y.v(), r * (p + q) + p, q);
    }
    return y;
  }

  private static FloatTensor w(KerasModelFixture f, String layer, int i) {
    return f.weights(List.of(layer)).get(i).value();
  }

  private static void close(T expected, FloatTensor actual, String what) {
    assertEquals(java.util.Arrays.toString(expected.shape()), java.util.Arrays.toString(actual.shape()), what);
    for (int i = 0; i < expected.v().length; i++) {
      assertEquals(expected.v()[i], actual.data()[i], 1e-5 * (1 + Math.abs(expected.v()[i])), what + " [" + i + "]");
    }
  }
}
