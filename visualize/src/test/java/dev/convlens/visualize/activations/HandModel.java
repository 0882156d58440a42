package dev.convlens.visualize.activations;

import dev.convlens.bridge.FloatTensor;
import dev.convlens.bridge.KerasModel;
import dev.convlens.bridge.LoadOptions;
import dev.convlens.bridge.fixtures.FixtureBuilder;
import dev.convlens.bridge.keras.WeightArray;
import java.util.List;

/**
 * A model whose activations are known by hand: input 2x3x1, a 1x1 linear Conv2D {@code c} with
 * 18 filters (channel k = w[k] * x + b[k]), a 2x2 max pool {@code p} (1x1 output) and a Flatten
 * {@code f}, fed the batch image 0 = [1..6], image 1 = [0, 0, 0, 0, 0, 10] (row-major 2x3).
 */
final class HandModel {
  /** ch0 = x, ch1 = -2x, ch2 = 0 (blank), ch3 = 5 (constant, not blank), ch k >= 4 = k x - 1. */
  static final float[] W = new float[18];
  static final float[] B = new float[18];

  static {
    W[0] = 1;
    W[1] = -2;
    B[3] = 5;
    for (int k = 4; k < 18; k++) {
      W[k] = k;
      B[k] = -1;
    }
  }

  static final FloatTensor BATCH = FloatTensor.of(new float[] {1, 2, 3, 4, 5, 6, 0, 0, 0, 0, 0, 10}, 2, 2, 3, 1);

  private HandModel() {}

  static KerasModel load() {
    var fixture = FixtureBuilder.functional("hand")
        .input("in", 2, 3, 1)
        .conv2d("c", 18, 1, "valid", "linear")
        .maxPool("p", 2)
        .flatten("f")
        .build();
    List<WeightArray> conv = List.of(new WeightArray("kernel:0", FloatTensor.of(W.clone(), 1, 1, 1, 18)),
        new WeightArray("bias:0", FloatTensor.of(B.clone(), 18)));
    return KerasModel.fromConfig(fixture.modelConfig().toString(),
        (path, cls, expected) -> path.equals(List.of("c")) ? conv : List.of(), LoadOptions.defaults());
  }
}
