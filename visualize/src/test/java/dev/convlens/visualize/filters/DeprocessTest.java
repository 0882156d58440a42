package dev.convlens.visualize.filters;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.convlens.bridge.FloatTensor;
import org.junit.jupiter.api.Test;

/** The book's deprocess_image on values worked out by hand. */
class DeprocessTest {
  @Test
  void standardizesScalesAndTruncates() {
    // mean 1.5, std sqrt(1.25) = 1.118034; (0 - 1.5) / 1.118044 * 0.1 + 0.5 = 0.365837 -> 93.29 -> 93
    FloatTensor x = FloatTensor.of(new float[] {0, 1, 2, 3}, 1, 2, 2);
    assertArrayEquals(new float[] {93, 116, 138, 161}, Deprocess.toUint8(x).data());
  }

  @Test
  void clipsOutliersAndKeepsConstantImagesFinite() {
    float[] d = new float[100];
    d[99] = 1000; // mean 10, std 99.4987: the outlier clips to 255, zeros give 0.489950 * 255 = 124.94
    float[] out = Deprocess.toUint8(FloatTensor.of(d, 10, 10, 1)).data();
    assertArrayEquals(new float[] {124, 255}, new float[] {out[0], out[99]});
    float[] gray = Deprocess.toUint8(FloatTensor.of(new float[] {7, 7, 7}, 1, 1, 3)).data();
    assertArrayEquals(new float[] {127, 127, 127}, gray); // std 0: 0.5 * 255 = 127.5, no NaN
  }
}
