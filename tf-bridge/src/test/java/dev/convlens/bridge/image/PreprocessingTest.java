package dev.convlens.bridge.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convlens.bridge.FloatTensor;
import dev.convlens.bridge.InvalidInputException;
import org.junit.jupiter.api.Test;

/** Keras imagenet_utils._preprocess_numpy_input on float32 arrays; the golden pipeline test covers tf, caffe and x/255 bit-exactly. */
class PreprocessingTest {
  // two NHWC pixels: (10, 20, 30) and (255, 0, 128)
  private static final FloatTensor X = new FloatTensor(new long[] {2, 1, 1, 3}, new float[] {10, 20, 30, 255, 0, 128});

  @Test
  void tfScalesToMinusOneOne() {
    FloatTensor y = Preprocessing.TF.apply(X);
    assertArrayEquals(X.shape(), y.shape());
    assertEquals(-1f, Preprocessing.TF.apply(FloatTensor.of(new float[] {0}, 1)).data()[0]);
    assertEquals(1f, y.data()[3]);
    assertEquals(0.003921628f, y.data()[5], 0f); // 128/127.5 - 1 in float32
    assertEquals(128 / 127.5 - 1, y.data()[5], 1e-7);
  }

  @Test
  void caffeFlipsToBgrAndSubtractsTheMeans() {
    float[] y = Preprocessing.CAFFE.apply(X).data();
    // x[..., ::-1] then minus [103.939, 116.779, 123.68] (B, G, R)
    assertArrayEquals(new float[] {30 - 103.939f, 20 - 116.779f, 10 - 123.68f, 128 - 103.939f, 0 - 116.779f, 255 - 123.68f}, y);
    assertEquals(30 - 103.939, y[0], 1e-5);
  }

  @Test
  void torchNormalisesWithImageNetMeanAndStd() {
    float[] y = Preprocessing.TORCH.apply(X).data();
    double[] mean = {0.485, 0.456, 0.406};
    double[] std = {0.229, 0.224, 0.225};
    double[] x = {10, 20, 30, 255, 0, 128};
    for (int i = 0; i < 6; i++) {
      assertEquals((x[i] / 255 - mean[i % 3]) / std[i % 3], y[i], 1e-6, "value " + i);
    }
    assertEquals((255f / 255f - 0.485f) / 0.229f, y[3], 0f);
  }

  @Test
  void rescaleAndNoneAndCopies() {
    float[] input = X.data().clone();
    FloatTensor r = Preprocessing.RESCALE_1_255.apply(X);
    assertEquals(1f, r.data()[3]);
    assertEquals(10f / 255f, r.data()[0], 0f);
    FloatTensor n = Preprocessing.NONE.apply(X);
    assertEquals(X, n);
    assertNotSame(X.data(), n.data());
    assertArrayEquals(input, X.data(), "input untouched");
  }

  @Test
  void channelChecksAndModeNames() {
    FloatTensor gray = new FloatTensor(new long[] {2, 2, 1}, new float[4]);
    InvalidInputException e = assertThrows(InvalidInputException.class, () -> Preprocessing.CAFFE.apply(gray));
    assertTrue(e.getMessage().contains("3 channels") && e.getMessage().contains("[2, 2, 1]"), e.getMessage());
    assertThrows(InvalidInputException.class, () -> Preprocessing.TORCH.apply(gray));
    assertEquals(4, Preprocessing.TF.apply(gray).size(), "tf works on any channel count");
    assertThrows(InvalidInputException.class, () -> Preprocessing.TF.apply(new FloatTensor(new long[0], new float[] {1})));

    assertEquals(Preprocessing.CAFFE, Preprocessing.parse("caffe"));
    assertEquals(Preprocessing.TF, Preprocessing.parse("TF"));
    assertEquals(Preprocessing.TORCH, Preprocessing.parse("torch"));
    assertThrows(InvalidInputException.class, () -> Preprocessing.parse("bgr"));
  }
}
