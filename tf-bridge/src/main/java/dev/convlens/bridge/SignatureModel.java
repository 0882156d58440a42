package dev.convlens.bridge;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.convlens.bridge.graph.BuiltModel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.tensorflow.GraphOperation;
import org.tensorflow.Operand;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Signature;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.proto.DataType;
import org.tensorflow.types.TFloat32;

/**
 * A TensorFlow SavedModel without Keras metadata, loaded for predict only: its layers cannot be
 * rebuilt from Java ops (and TF Java cannot take gradients through a SavedModel's functions), but
 * its serving signature can be run. The model answers {@code predict}; everything that adds ops
 * (gradients, explanations, training) or names layers is refused with the reason.
 */
final class SignatureModel {
  static final String REASON = "a TensorFlow SavedModel without Keras metadata is loaded for predict only (its layers"
      + " cannot be rebuilt); give its Keras file (.h5, .keras, or a SavedModel saved by Keras) for layers,"
      + " gradients and explanations";

  private SignatureModel() {}

  static KerasModel load(Path dir) {
    SavedModelBundle bundle;
    try {
      bundle = SavedModelBundle.load(dir.toString(), SavedModelBundle.DEFAULT_TAG);
    } catch (RuntimeException e) {
      throw new ModelFormatException(dir, "a TensorFlow SavedModel without Keras metadata that TensorFlow cannot load: "
          + String.valueOf(e.getMessage()).lines().findFirst().orElse(""), e);
    }
    try {
      Signature signature = servingSignature(bundle, dir);
      List<Placeholder<TFloat32>> inputs = new ArrayList<>();
      List<String> inputNames = new ArrayList<>();
      for (var e : signature.getInputs().entrySet()) {
        GraphOperation op = tensorOp(bundle, e.getValue(), dir, "input '" + e.getKey() + "'");
        if (!op.type().equals("Placeholder")) {
          throw new ModelFormatException(dir, "signature input '" + e.getKey() + "' is computed (" + op.type()
              + "), not fed; it cannot be given an array");
        }
        inputs.add(new Placeholder<>(op));
        inputNames.add(e.getKey());
      }
      List<Operand<TFloat32>> outputs = new ArrayList<>();
      List<String> outputNames = new ArrayList<>();
      for (var e : signatureOutputs(bundle, signature).entrySet()) {
        GraphOperation op = tensorOp(bundle, e.getValue(), dir, "output '" + e.getKey() + "'");
        outputs.add(op.<TFloat32>output(outputIndex(e.getValue().name)));
        outputNames.add(e.getKey());
      }
      BuiltModel built = new BuiltModel(bundle.graph(), List.copyOf(inputs), List.copyOf(inputNames),
          List.copyOf(outputs), Map.of(), List.copyOf(outputNames), Map.of(), List.of(), List.of(), new HashMap<>());
      ObjectNode config = JsonNodeFactory.instance.objectNode().put("class_name", "TensorFlowSavedModel");
      config.putObject("config").put("name", String.valueOf(dir.getFileName())).put("signature", signature.key());
      OwnedGraph owned = new OwnedGraph(String.valueOf(dir.getFileName()), bundle.graph(), bundle.session(), built,
          REASON);
      return new KerasModel(owned.modelName(), config, owned, dir);
    } catch (RuntimeException e) {
      bundle.close();
      throw e;
    }
  }

  private static Signature servingSignature(SavedModelBundle bundle, Path dir) {
    List<Signature> all = bundle.signatures();
    for (Signature s : all) {
      if (s.key().equals(Signature.DEFAULT_KEY)) {
        return check(s, dir);
      }
    }
    if (all.size() == 1) {
      return check(all.get(0), dir);
    }
    throw new ModelFormatException(dir, "a TensorFlow SavedModel without Keras metadata (no keras_metadata.pb) and without a '"
        + Signature.DEFAULT_KEY + "' signature (it has " + all.stream().map(Signature::key).toList()
        + "): nothing to predict with");
  }

  private static Signature check(Signature s, Path dir) {
    for (var e : s.getInputs().entrySet()) {
      if (e.getValue().dataType != DataType.DT_FLOAT) {
        throw new ModelFormatException(dir, "signature '" + s.key() + "' input '" + e.getKey() + "' is "
            + e.getValue().dataType + "; convlens feeds float32 arrays only");
      }
    }
    return s;
  }

  private static Map<String, Signature.TensorDescription> signatureOutputs(SavedModelBundle bundle, Signature s) {
    Map<String, Signature.TensorDescription> out = new java.util.LinkedHashMap<>();
    for (var def : bundle.metaGraphDef().getSignatureDefOrThrow(s.key()).getOutputsMap().entrySet()) {
      if (def.getValue().getDtype() != DataType.DT_FLOAT) {
        continue;  // only float outputs come back as arrays
      }
      out.put(def.getKey(), new Signature.TensorDescription(def.getValue().getDtype(),
          org.tensorflow.ndarray.Shape.unknown(), def.getValue().getName()));
    }
    return out;
  }

  private static GraphOperation tensorOp(SavedModelBundle bundle, Signature.TensorDescription t, Path dir,
      String what) {
    String opName = t.name.contains(":") ? t.name.substring(0, t.name.lastIndexOf(':')) : t.name;
    GraphOperation op = bundle.graph().operation(opName);
    if (op == null) {
      throw new ModelFormatException(dir, "signature " + what + " names tensor '" + t.name + "', which the graph lacks");
    }
    return op;
  }

  private static int outputIndex(String tensorName) {
    int colon = tensorName.lastIndexOf(':');
    return colon < 0 ? 0 : Integer.parseInt(tensorName.substring(colon + 1));
  }
}
