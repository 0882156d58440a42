package dev.convlens.bridge.graph;

import dev.convlens.bridge.FloatTensor;
import dev.convlens.bridge.spi.LayerHandle;
import dev.convlens.bridge.spi.ModelVariable;
import java.util.List;
import java.util.Map;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;

/**
 * The result of {@link GraphBuilder#build}: inputs, outputs, every layer by path (in build order)
 * and every variable, plus the initial values to assign once a session exists, and how to call each
 * layer again on other inputs.
 */
public record BuiltModel(Graph graph, List<Placeholder<TFloat32>> inputs, List<String> inputNames,
    List<Operand<TFloat32>> outputs, Map<String, LayerCall> calls, List<String> outputNames, Map<String, LayerHandle> layers, List<String> layerOrder,
    List<ModelVariable> variables, Map<ModelVariable, FloatTensor> initialValues) {}
