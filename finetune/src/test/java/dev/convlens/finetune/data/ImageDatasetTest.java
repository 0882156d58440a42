package dev.convlens.finetune.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convlens.bridge.FloatTensor;
import dev.convlens.bridge.InvalidInputException;
import dev.convlens.bridge.image.Preprocessing;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageDatasetTest {
  @TempDir
  static Path tmp;
  static Path dir;

  @BeforeAll
  static void folder() throws Exception {
    dir = SyntheticImages.write(tmp.resolve("set"), List.of("dogs", "cats"), 5, 8, 1);
    Files.writeString(dir.resolve("cats/notes.txt"), "not an image");
    Files.write(dir.resolve("dogs/broken.jpg"), new byte[] {(byte) 0xFF, (byte) 0xD8, 1, 2, 3});
    Files.createDirectories(dir.resolve("cats/more"));
    Files.copy(dir.resolve("cats/img_000.png"), dir.resolve("cats/more/deep.PNG"));
  }

  static DatasetOptions options() {
    return DatasetOptions.of(4, 6, Preprocessing.NONE).withBatchSize(4).withSeed(9);
  }

  @Test
  void classesAreSortedSubFoldersAndBadFilesAreReportedNotFatal() {
    List<SkippedFile> skipped = new ArrayList<>();
    ImageDataset d = ImageDataset.fromDirectory(dir, options(), skipped::add);
    assertEquals(List.of("cats", "dogs"), d.classNames());
    assertEquals(11, d.size()); // 5 + 1 nested cats, 5 dogs
    assertEquals(2, skipped.size(), skipped.toString());
    assertTrue(skipped.get(0).file().endsWith("cats/notes.txt") && skipped.get(0).reason().startsWith("not an image"));
    assertTrue(skipped.get(1).file().endsWith("dogs/broken.jpg") && skipped.get(1).reason().startsWith("unreadable"));
    assertEquals(skipped, d.skipped());
    for (int i = 0; i < d.size(); i++) {
      assertEquals(d.files().get(i).toString().contains("/cats/") ? 0 : 1, d.classOf(i));
    }
  }

  @Test
  void batchesHaveTheTargetSizeAndBinaryOrOneHotLabels() {
    ImageDataset d = ImageDataset.fromDirectory(dir, options());
    Batch b = d.batch(new int[] {0, 10}, 0);
    assertArrayEquals(new long[] {2, 4, 6, 3}, b.images().shape());
    assertArrayEquals(new float[] {0, 1}, b.labels().data());
    ImageDataset c = d.withOptions(d.options().withLabelMode(LabelMode.CATEGORICAL));
    assertArrayEquals(new float[] {1, 0, 0, 1}, c.labels(new int[] {0, 10}).data());
    // pixels as load_img gives them (0..255 integers), preprocessing applied after
    FloatTensor raw = d.image(3, 0);
    FloatTensor tf = d.withOptions(d.options().withAugmentation(Augmentation.none())).image(3, 0);
    assertEquals(raw, tf);
    FloatTensor scaled = ImageDataset.fromDirectory(dir, DatasetOptions.of(4, 6, Preprocessing.TF)).image(3, 0);
    for (int i = 0; i < raw.data().length; i++) {
      assertEquals(raw.data()[i], Math.rint(raw.data()[i]));
      assertEquals(raw.data()[i] / 127.5f - 1f, scaled.data()[i], 1e-6);
    }
  }

  @Test
  void shufflingIsSeededPerEpochAndCoversEverySampleOnce() {
    ImageDataset d = ImageDataset.fromDirectory(dir, options());
    List<int[]> e1 = d.batchIndices(1);
    assertEquals(3, e1.size());
    assertEquals(3, e1.get(2).length); // 11 = 4 + 4 + 3
    Set<Integer> seen = new HashSet<>();
    e1.forEach(b -> Arrays.stream(b).forEach(seen::add));
    assertEquals(11, seen.size());
    assertArrayEquals(flat(e1), flat(ImageDataset.fromDirectory(dir, options()).batchIndices(1)));
    assertFalse(Arrays.equals(flat(e1), flat(d.batchIndices(2))));
    assertArrayEquals(new int[] {0, 1, 2, 3}, d.withOptions(d.options().withShuffle(false)).batchIndices(5).get(0));
  }

  @Test
  void augmentationDependsOnEpochAndIsOffForEvaluation() {
    ImageDataset d = ImageDataset.fromDirectory(dir, options().withAugmentation(Augmentation.book()));
    assertEquals(d.image(2, 1), d.image(2, 1));
    assertNotEquals(d.image(2, 1), d.image(2, 2));
    ImageDataset eval = d.withOptions(d.options().forEvaluation());
    assertEquals(eval.image(2, 1), eval.image(2, 2));
  }

  @Test
  void clearErrorsForBadFolders() {
    assertThrows(InvalidInputException.class, () -> ImageDataset.fromDirectory(tmp.resolve("missing"), options()));
    InvalidInputException three = assertThrows(InvalidInputException.class, () -> ImageDataset.fromDirectory(
        SyntheticImages.write(tmp.resolve("three"), List.of("a", "b", "c"), 1, 4, 1), options()));
    assertTrue(three.getMessage().contains("binary labels need exactly 2 class folders"), three.getMessage());
  }

  static int[] flat(List<int[]> batches) {
    return batches.stream().flatMapToInt(Arrays::stream).toArray();
  }
}
