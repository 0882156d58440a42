package dev.convlens.visualize.cam;

import dev.convlens.bridge.InvalidInputException;
import dev.convlens.bridge.KerasModel;
import dev.convlens.bridge.spi.ExtensionKey;
import dev.convlens.bridge.spi.GraphScope;
import org.tensorflow.Operand;
import org.tensorflow.types.TFloat32;

/**
 * The TF ops of one single-output model's input attribution: the {@link TargetOps} score of each
 * row (the CAM methods' scores, by default a class's logit) and the gradient of their sum with
 * respect to the model input (samples do not mix, so every row gets its own gradient). A model
 * extension, built once per model.
 */
record InputOps(TargetOps targets, Operand<TFloat32> inputGradient) {

  static InputOps of(KerasModel model) {
    if (model.inputNames().size() != 1 || model.outputNames().size() != 1) {
      throw new InvalidInputException("input attribution needs a model with one input and one output; model '"
          + model.name() + "' has inputs " + model.inputNames() + " and outputs " + model.outputNames());
    }
    return model.graph().extension(ExtensionKey.of(InputOps.class), scope -> build(model, scope));
  }

  private static InputOps build(KerasModel model, GraphScope scope) {
    TargetOps t = TargetOps.build(scope.ops("convlens_input_attribution"), model, model.outputNames().get(0), null);
    Operand<TFloat32> grad = scope.gradients(t.total(), scope.model().input())[0].expect(TFloat32.class);
    return new InputOps(t, grad);
  }
}
