package dev.convlens.visualize.filters;

import dev.convlens.bridge.FloatTensor;
import dev.convlens.bridge.KerasModel;
import dev.convlens.bridge.LoadOptions;
import dev.convlens.bridge.applications.MobileNet;
import dev.convlens.bridge.fixtures.SharedData;
import dev.convlens.bridge.image.Preprocessing;
import dev.convlens.visualize.render.Images;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class FeatureExploreTest {
  @Test
  void explore() {
    Path weights = SharedData.require("models/keras-applications/mobilenet_2_5_128_tf.h5");
    try (KerasModel model = KerasModel.fromConfig(MobileNet.Options.defaults().withAlpha(0.25).withInputSize(128).config(),
        LoadOptions.defaults().withWeights(weights))) {
      FeatureVisualizer v = FeatureVisualizer.of(model);
      FeatureOptions o = FeatureOptions.defaults().withPreprocessing(Preprocessing.TF).withSteps(64);
      for (FeatureOptions opt : List.of(o)) {
        long t0 = System.nanoTime();
        List<FeatureResult> rs = v.render(List.of(Objective.classLogit(1), Objective.classLogit(130), Objective.classLogit(949)), opt, null);
        System.out.printf("class logits %.1f s%n", (System.nanoTime() - t0) / 1e9);
        for (FeatureResult r : rs) {
          float[] out = model.predict(new FloatTensor(new long[] {1, 128, 128, 3}, r.input().data())).data();
          int top = 0;
          for (int i = 0; i < out.length; i++) if (out[i] > out[top]) top = i;
          System.out.println(r.objective() + " first " + r.values().get(0) + " final " + r.finalValue() + " top1 " + top + " p " + out[top] + " dead " + r.dead());
          Images.write(r.image(), Path.of("target/explore/" + opt.parameterization().kind() + "_" + r.objective().toString().replaceAll("[^a-z0-9]", "") + ".png"));
        }
        t0 = System.nanoTime();
        List<FeatureResult> ch = v.renderChannels("conv_pw_6_relu", List.of(0, 1, 2, 3, 4, 5, 6, 7), opt, null);
        System.out.printf("8 channels %.1f s%n", (System.nanoTime() - t0) / 1e9);
        for (FeatureResult r : ch) {
          System.out.println(r.objective() + " first " + r.values().get(0) + " final " + r.finalValue() + " dead " + r.dead() + " starts " + r.starts());
        }
        Images.write(FilterGrid.of(ch.stream().map(r -> new FilterResult(0, r.pixels(), List.of(), 0)).toList(), 5), Path.of("target/explore/grid_" + opt.parameterization().kind() + ".png"));
      }
    }
  }
}
