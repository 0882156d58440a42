package dev.convlens.bridge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convlens.bridge.applications.Vgg16;
import dev.convlens.bridge.fixtures.SharedData;
import io.jhdf.HdfFile;
import io.jhdf.api.Dataset;
import io.jhdf.api.Group;
import io.jhdf.api.Node;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** model.summary() against what tf.keras 2 prints: rows, shapes, parameter counts and totals. */
class SummaryTest {
  private static final String THIN = "_".repeat(65);

  /**
   * VGG16 with its top: 138,357,544 parameters, the figure Keras' documentation gives. Random
   * weights, since the summary only needs the architecture (this allocates about 550 MB).
   */
  @Test
  void vgg16WithTop() {
    try (KerasModel m = KerasModel.fromConfig(Vgg16.Options.defaults().withImagenetWeights(false).config(),
        LoadOptions.defaults().withRandomWeights(1))) {
      String s = m.summary();
      assertTrue(s.endsWith("Total params: 138,357,544\nTrainable params: 138,357,544\nNon-trainable params: 0\n"
          + THIN + "\n"), s);
      assertTrue(s.contains("\nfc1 (Dense)                  (None, 4096)              102764544\n"), s);
    }
  }

  /** 138,357,544 minus fc1 (25088*4096+4096), fc2 (4096*4096+4096) and predictions (4096*1000+1000). */
  @Test
  void vgg16WithoutTop() {
    try (KerasModel m = KerasModel.fromConfig(Vgg16.Options.defaults().withIncludeTop(false).withImagenetWeights(false)
        .config(), LoadOptions.defaults().withRandomWeights(1))) {
      long top = 25088L * 4096 + 4096 + 4096L * 4096 + 4096 + 4096L * 1000 + 1000;
      assertEquals(138_357_544L - top, 14_714_688L);
      String s = m.summary();
      assertTrue(s.endsWith("Total params: 14,714,688\nTrainable params: 14,714,688\nNon-trainable params: 0\n"
          + THIN + "\n"), s);
      assertTrue(s.contains("\nblock5_pool (MaxPooling2D)   (None, 7, 7, 512)         0\n"), s);
    }
  }

  /**
   * The small convnet C (Keras 2.1.6 Sequential, 50x50x3) exactly as tf.keras 2 prints it, without
   * trailing blanks. A Sequential's summary has no InputLayer row. Parameters by hand:
   * conv2d_4 3*3*3*32+32 = 896; conv2d_5 3*3*32*64+64 = 18,496; conv2d_6 3*3*64*64+64 = 36,928;
   * dense_3 (4*4*64)*128+128 = 131,200; dense_4 128*1+1 = 129; total 187,649. Shapes: valid 3x3
   * convolutions take 2 off each side length, 2x2 pooling halves it rounding down (9 -> 4).
   */
  @Test
  void smallConvnetMatchesKeras() {
    String expected = String.join("\n",
        "Model: \"sequential\"",
        THIN,
        "Layer (type)                 Output Shape              Param #",
        "=".repeat(65),
        "conv2d_4 (Conv2D)            (None, 48, 48, 32)        896",
        THIN,
        "max_pooling2d_4 (MaxPooling2 (None, 24, 24, 32)        0",
        THIN,
        "conv2d_5 (Conv2D)            (None, 22, 22, 64)        18496",
        THIN,
        "max_pooling2d_5 (MaxPooling2 (None, 11, 11, 64)        0",
        THIN,
        "conv2d_6 (Conv2D)            (None, 9, 9, 64)          36928",
        THIN,
        "max_pooling2d_6 (MaxPooling2 (None, 4, 4, 64)          0",
        THIN,
        "flatten_2 (Flatten)          (None, 1024)              0",
        THIN,
        "dropout_1 (Dropout)          (None, 1024)              0",
        THIN,
        "dense_3 (Dense)              (None, 128)               131200",
        THIN,
        "dense_4 (Dense)              (None, 1)                 129",
        "=".repeat(65),
        "Total params: 187,649",
        "Trainable params: 187,649",
        "Non-trainable params: 0",
        THIN,
        "");
    try (KerasModel m = KerasModel.load(SharedData.require("models/keras-h5/bwdGitHub_cats_and_dogs_small_1.h5"))) {
      assertEquals(expected, m.summary());
    }
  }

  /**
   * A functional graph with residual joins gets the "Connected to" column, a merge listing each
   * input on its own line. Totals are checked against the HDF5 file itself: every dataset under
   * model_weights is a parameter; BatchNormalization's moving_mean/moving_variance are the
   * non-trainable ones.
   */
  @Test
  void ferFunctionalSummaryHasConnectedTo() {
    Path file = SharedData.require("models/keras-h5/fer2013_mini_XCEPTION.102-0.66.hdf5");
    long[] counts = new long[2];
    try (HdfFile h = new HdfFile(file)) {
      countParameters((Group) h.getByPath("model_weights"), counts);
    }
    try (KerasModel m = KerasModel.load(file)) {
      String s = m.summary();
      List<String> lines = s.lines().toList();
      assertTrue(lines.get(2).startsWith("Layer (type)") && lines.get(2).endsWith("Connected to"), lines.get(2));
      assertEquals(98, lines.get(1).length(), "the four-column table is 98 wide");
      int add = indexOfPrefix(lines, "add_1 (Add)");
      assertTrue(lines.get(add).endsWith("max_pooling2d_1[0][0]"), lines.get(add));
      assertEquals(" ".repeat(65) + "batch_normalization_3[0][0]", lines.get(add + 1));
      assertTrue(s.contains(String.format(java.util.Locale.ROOT, "Total params: %,d\nTrainable params: %,d\n"
          + "Non-trainable params: %,d\n", counts[0], counts[0] - counts[1], counts[1])), s + "\nexpected " + counts[0]
          + " parameters, " + counts[1] + " non-trainable");
      assertEquals(58_423, counts[0]);
    }
  }

  /** A nested model is one row; expanded, its layers appear under their path. */
  @Test
  void nestedModelIsOneRowUnlessExpanded() {
    try (KerasModel m = KerasModel.load(
        SharedData.require("models/keras-v3/convnet_from_scratch_with_augmentation.keras"))) {
      String collapsed = m.summary();
      List<String> rows = collapsed.lines().filter(l -> l.startsWith("sequential")).toList();
      assertEquals(List.of("sequential (Sequential)      (None, 180, 180, 3)       0"), rows);
      assertFalse(collapsed.contains("random_flip"), collapsed);

      String expanded = m.summary(true);
      assertTrue(expanded.contains("\nsequential/random_flip (Rand (None, 180, 180, 3)       0\n"), expanded);
      assertTrue(expanded.contains("\nsequential/random_zoom (Rand"), expanded);
      assertFalse(expanded.contains("random_flip_input"), "a Sequential's implicit input is not listed: " + expanded);
      // conv 896 + 18,496 + 73,856 + 295,168 + 590,080, dense 12544*1+1 = 12,545
      for (String s : List.of(collapsed, expanded)) {
        assertTrue(s.contains("Total params: 991,041\nTrainable params: 991,041\nNon-trainable params: 0\n"), s);
      }
    }
  }

  private static int indexOfPrefix(List<String> lines, String prefix) {
    for (int i = 0; i < lines.size(); i++) {
      if (lines.get(i).startsWith(prefix)) {
        return i;
      }
    }
    throw new AssertionError("no line starts with " + prefix);
  }

  /** counts[0] += every value stored, counts[1] += the moving statistics among them. */
  private static void countParameters(Group g, long[] counts) {
    for (Node n : g.getChildren().values()) {
      if (n instanceof Group child) {
        countParameters(child, counts);
      } else if (n instanceof Dataset d) {
        counts[0] += d.getSize();
        if (d.getName().startsWith("moving_")) {
          counts[1] += d.getSize();
        }
      }
    }
  }
}
