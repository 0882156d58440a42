package dev.convlens.visualize.metrics;

import dev.convlens.bridge.FloatTensor;
import dev.convlens.bridge.KerasModel;

/**
 * An attribution method as the randomization check calls it: the map {@code [h, w]} of {@code
 * classIndex} for {@code image [H, W, C]} on {@code model}, e.g.
 * {@code (m, x, k) -> CamExplainer.of(m, CamOptions.defaults().withClassIndex(k)).explain(x).get(0).raw()}.
 * It is called on the caller's model and on randomized copies, so it must use the model it is given.
 */
@FunctionalInterface
public interface MapFunction {
  FloatTensor map(KerasModel model, FloatTensor image, int classIndex);
}
