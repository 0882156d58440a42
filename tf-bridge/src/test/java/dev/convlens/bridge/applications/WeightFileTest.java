package dev.convlens.bridge.applications;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convlens.bridge.ConvlensException;
import java.net.URI;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class WeightFileTest {
  @Test
  void vgg16FilesAndClassIndexAsKerasPublishesThem() {
    assertEquals("vgg16_weights_tf_dim_ordering_tf_kernels.h5", WeightFile.VGG16.fileName());
    assertEquals("64373286793e3c8b2b4e3219cbf3544b", WeightFile.VGG16.md5());
    assertEquals(URI.create("https://storage.googleapis.com/tensorflow/keras-applications/vgg16/"
        + "vgg16_weights_tf_dim_ordering_tf_kernels.h5"), WeightFile.VGG16.url());
    assertEquals("vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5", WeightFile.VGG16_NOTOP.fileName());
    assertEquals("6d6bbae143d832006294945121d1f1fc", WeightFile.VGG16_NOTOP.md5());
    assertEquals("imagenet_class_index.json", WeightFile.IMAGENET_CLASS_INDEX.fileName());
    assertEquals("c2c37ea517e94d9795004a39431a14cb", WeightFile.IMAGENET_CLASS_INDEX.md5());
    assertEquals(URI.create("https://storage.googleapis.com/download.tensorflow.org/data/imagenet_class_index.json"),
        WeightFile.IMAGENET_CLASS_INDEX.url());
  }

  @Test
  void mobileNetNamesUseKeras204AlphaText() {
    assertEquals("mobilenet_2_5_128_tf.h5", WeightFile.mobileNet(0.25, 128, true).fileName());
    assertEquals("mobilenet_5_0_160_tf.h5", WeightFile.mobileNet(0.5, 160, true).fileName());
    assertEquals("mobilenet_7_5_192_tf_no_top.h5", WeightFile.mobileNet(0.75, 192, false).fileName());
    assertEquals("mobilenet_1_0_224_tf_no_top.h5", WeightFile.mobileNet(1.0, 224, false).fileName());
    WeightFile f = WeightFile.mobileNet(0.25, 128, true);
    assertNull(f.md5());
    assertEquals(URI.create("https://storage.googleapis.com/tensorflow/keras-applications/mobilenet/"
        + "mobilenet_2_5_128_tf.h5"), f.url());
  }

  @Test
  void mobileNetWithoutPublishedWeightsIsRejected() {
    ConvlensException alpha = assertThrows(ConvlensException.class, () -> WeightFile.mobileNet(0.3, 128, true));
    assertTrue(alpha.getMessage().contains("alpha = 0.3"), alpha.getMessage());
    ConvlensException size = assertThrows(ConvlensException.class, () -> WeightFile.mobileNet(0.25, 150, true));
    assertTrue(size.getMessage().contains("150"), size.getMessage());
  }

  @Test
  void knownListsEveryFileOnce() {
    List<WeightFile> known = WeightFile.known();
    assertEquals(3 + 4 * 4 * 2, known.size());
    assertEquals(known.size(), known.stream().map(WeightFile::fileName).collect(Collectors.toSet()).size());
  }

  @Test
  void malformedEntriesAreRejected() {
    URI u = URI.create("https://example.invalid/x");
    assertThrows(ConvlensException.class, () -> new WeightFile("a/b.h5", null, u));
    assertThrows(ConvlensException.class, () -> new WeightFile("b.h5", "XYZ", u));
  }
}
