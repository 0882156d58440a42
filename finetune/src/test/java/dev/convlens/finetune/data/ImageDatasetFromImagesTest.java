package dev.convlens.finetune.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.convlens.bridge.FloatTensor;
import dev.convlens.bridge.InvalidInputException;
import dev.convlens.bridge.image.Preprocessing;
import java.util.List;
import org.junit.jupiter.api.Test;

class ImageDatasetFromImagesTest {
  private static FloatTensor constant(float v) {
    float[] d = new float[2 * 3 * 3];
    java.util.Arrays.fill(d, v);
    return new FloatTensor(new long[] {2, 3, 3}, d);
  }

  @Test
  void keepsImagesAsEightBitAndLabelsInClassOrder() {
    DatasetOptions o = DatasetOptions.of(2, 3, Preprocessing.RESCALE_1_255).withLabelMode(LabelMode.CATEGORICAL).withShuffle(false);
    ImageDataset d = ImageDataset.fromImages(List.of("a", "b", "c"), new int[] {2, 0}, i -> constant(i == 0 ? 255f : 51.2f), o);
    assertEquals(2, d.size());
    assertEquals(2, d.classOf(0));
    assertEquals("c/000000", d.files().get(0).toString().replace('\\', '/'));
    assertArrayEquals(new float[] {0, 0, 1, 1, 0, 0}, d.labels(new int[] {0, 1}).data());
    assertEquals(1f, d.image(0, 0).data()[0], 0f);
    assertEquals(51f / 255f, d.image(1, 0).data()[5], 1e-7f, "rounded to 8 bits, then preprocessed");
  }

  @Test
  void rejectsBadClassesAndShapes() {
    DatasetOptions o = DatasetOptions.of(2, 3, Preprocessing.NONE).withLabelMode(LabelMode.CATEGORICAL);
    assertThrows(InvalidInputException.class,
        () -> ImageDataset.fromImages(List.of("a", "b"), new int[] {2}, i -> constant(0), o));
    assertThrows(InvalidInputException.class, () -> ImageDataset.fromImages(List.of("a", "b"), new int[] {1},
        i -> new FloatTensor(new long[] {3, 2, 3}, new float[18]), o));
  }
}
