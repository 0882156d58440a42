package dev.convlens.visualize.filters;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convlens.bridge.FloatTensor;
import dev.convlens.bridge.KerasModel;
import dev.convlens.bridge.LoadOptions;
import dev.convlens.bridge.applications.MobileNet;
import dev.convlens.bridge.fixtures.SharedData;
import dev.convlens.bridge.image.KerasImages;
import dev.convlens.bridge.image.Preprocessing;
import dev.convlens.visualize.render.Animation;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

/** DeepDream from a photo, and the batch diversity term, on MobileNet-0.25 with its ImageNet weights. */
class DeepDreamAndDiversityTest {
  private static KerasModel mobileNet() {
    Path weights = SharedData.require("models/keras-applications/mobilenet_2_5_128_tf.h5");
    return KerasModel.fromConfig(MobileNet.Options.defaults().withAlpha(0.25).withInputSize(128).config(),
        LoadOptions.defaults().withWeights(weights));
  }

  @Test
  void deepDreamStartsFromThePhotoAndAmplifiesTheLayer() {
    FloatTensor photo = KerasImages.loadImg(SharedData.require("images/book/cats_and_dogs_small/cat.1700.jpg"), 128, 128);
    try (KerasModel model = mobileNet()) {
      FeatureOptions options = FeatureOptions.defaults().withPreprocessing(Preprocessing.TF).withStartImage(photo)
          .withSteps(30).withSnapshotEvery(10);
      FeatureResult r = FeatureVisualizer.of(model).render(Objective.layer("conv_pw_6_relu"), options);
      assertEquals(4, r.snapshots().size());
      // the first snapshot is the photo (0 and 255 are clamped to 255 * 1e-4 off the ends by the sigmoid)
      assertArrayEquals(photo.data(), r.snapshots().get(0).data(), 0.03f);
      assertTrue(r.finalValue() > 1.25 * r.values().get(0), r.values().get(0) + " -> " + r.finalValue());
      Animation.writeGif(r.snapshotImages(), 200, true, Path.of("target", "feature-visualization", "deepdream.gif"));
    }
  }

  @Test
  void theDiversityTermMakesTheBatchsPicturesDiffer() {
    try (KerasModel model = mobileNet()) {
      FeatureVisualizer v = FeatureVisualizer.of(model);
      FeatureOptions options = FeatureOptions.defaults().withPreprocessing(Preprocessing.TF).withSteps(48);
      Objective channel = Objective.channel("conv_pw_6_relu", 5);
      Objective diverse = channel.minus(Objective.diversity("conv_pw_6_relu").times(100));
      double plain = meanDistance(v.render(Collections.nCopies(3, channel), options, null));
      double apart = meanDistance(v.render(Collections.nCopies(3, diverse), options, null));
      System.out.printf("mean pairwise RMS distance: %.2f without diversity, %.2f with%n", plain, apart);
      assertTrue(apart > 1.2 * plain, "diversity " + apart + " vs " + plain);
    }
  }

  private static double meanDistance(List<FeatureResult> rs) {
    double sum = 0;
    int pairs = 0;
    for (int i = 0; i < rs.size(); i++) {
      for (int j = i + 1; j < rs.size(); j++) {
        float[] a = rs.get(i).pixels().data();
        float[] b = rs.get(j).pixels().data();
        double s = 0;
        for (int p = 0; p < a.length; p++) {
          s += (a[p] - b[p]) * (a[p] - b[p]);
        }
        sum += Math.sqrt(s / a.length);
        pairs++;
      }
    }
    return sum / pairs;
  }
}
