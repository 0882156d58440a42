package dev.convlens.visualize.cam;

import dev.convlens.bridge.InvalidInputException;
import dev.convlens.bridge.KerasModel;
import dev.convlens.bridge.spi.ExtensionKey;
import dev.convlens.bridge.spi.GraphScope;
import dev.convlens.bridge.spi.ModelGraph;
import org.tensorflow.Operand;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;

/**
 * The TF ops of one single-output model: {@code select [N, classes]} one-hot rows (an all-zero row:
 * that sample's top-1 class, chosen in the graph), the output probabilities, each row's selected
 * pre-activation logit, and the gradient of their sum with respect to the model input (samples do
 * not mix, so every row gets its own gradient): the CAM methods' {@link CamOps.Scoring} of the
 * logits {@link TargetLayers#logitsLayer} finds, differentiated at the input instead of a layer.
 * A model extension, built once per model.
 */
record InputOps(Placeholder<TFloat32> select, Operand<TFloat32> probabilities, Operand<TFloat32> logits,
    Operand<TFloat32> inputGradient, int classes) {

  static InputOps of(KerasModel model) {
    if (model.inputNames().size() != 1 || model.outputNames().size() != 1) {
      throw new InvalidInputException("input attribution needs a model with one input and one output; model '"
          + model.name() + "' has inputs " + model.inputNames() + " and outputs " + model.outputNames());
    }
    return model.graph().extension(ExtensionKey.of(InputOps.class), scope -> build(model, scope));
  }

  private static InputOps build(KerasModel model, GraphScope scope) {
    ModelGraph g = scope.model();
    String output = model.outputNames().get(0);
    long[] shape = g.output(output).shape().asArray();
    int classes = (int) shape[shape.length - 1];
    CamOps.Scoring s = CamOps.Scoring.build(scope.ops("convlens_input_attribution"), g.output(output), classes,
        TargetLayers.logitsLayer(model, output).preActivation());
    Operand<TFloat32> grad = scope.gradients(s.total(), g.input())[0].expect(TFloat32.class);
    return new InputOps(s.select(), s.probabilities(), s.rowScores(), grad, classes);
  }
}
