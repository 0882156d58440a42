package dev.convlens.visualize.metrics;

import dev.convlens.bridge.FloatTensor;
import dev.convlens.bridge.KerasModel;
import dev.convlens.bridge.LoadOptions;
import dev.convlens.bridge.fixtures.FixtureBuilder;
import dev.convlens.bridge.keras.WeightArray;
import java.util.Arrays;
import java.util.List;

/**
 * A classifier whose output is known by hand: input {@code [H, W, C]}, Flatten, one Dense unit
 * with a sigmoid, so {@code p = sigmoid(w . x + b)} with {@code w} in row-major, channels-last order.
 */
final class LinearModel {
  private LinearModel() {}

  /** All weights {@code weight}: {@code p = sigmoid(weight * sum(x) + bias)}. */
  static KerasModel ofSum(int h, int w, int c, float weight, float bias) {
    float[] k = new float[h * w * c];
    Arrays.fill(k, weight);
    return of(h, w, c, k, bias);
  }

  static KerasModel of(int h, int w, int c, float[] kernel, float bias) {
    var fixture = FixtureBuilder.functional("linear")
        .input("in", h, w, c)
        .flatten("f")
        .dense("d", 1, "sigmoid")
        .build();
    List<WeightArray> dense = List.of(new WeightArray("kernel:0", FloatTensor.of(kernel.clone(), kernel.length, 1)),
        new WeightArray("bias:0", FloatTensor.of(new float[] {bias}, 1)));
    return KerasModel.fromConfig(fixture.modelConfig().toString(),
        (path, cls, expected) -> path.equals(List.of("d")) ? dense : List.of(), LoadOptions.defaults());
  }

  static double sigmoid(double z) {
    return 1 / (1 + Math.exp(-z));
  }
}
