/**
 * Rebuilding Keras layers from TF Java ops. {@link dev.convlens.bridge.graph.LayerRegistry} maps
 * each Keras class name to a {@link dev.convlens.bridge.graph.LayerBuilder}; {@link
 * dev.convlens.bridge.graph.GraphBuilder} wires a {@code ModelSpec} into one graph with every layer
 * output named {@code <path>/output} and every weight a flat-named VariableV2. Depends on {@code keras}.
 */
package dev.convlens.bridge.graph;
