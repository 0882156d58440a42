/**
 * Rebuilding Keras layers from TF Java ops. {@link dev.convlens.bridge.graph.LayerRegistry} maps
 * each Keras class name to a {@link dev.convlens.bridge.graph.LayerBuilder} and the layer's
 * {@code LayerTrait}s (what visualize and finetune ask instead of keeping class-name lists), and is
 * open: {@code register} adds a custom class for every load, {@code LoadOptions.withLayer} a builder
 * for one layer name or class (a {@code Lambda}). {@link dev.convlens.bridge.graph.GraphBuilder}
 * wires a {@code ModelSpec} into one graph with every layer output named {@code <path>/output},
 * every weight a flat-named VariableV2 whose random start (without weights) follows the initializer
 * its config names. Depends on {@code keras} and the {@code spi} value records.
 *
 * <p>Public for users: {@code LayerBuilder}, {@code LayerContext}, {@code LayerOutput},
 * {@code LayerRegistry}. The rest is used by {@code dev.convlens.bridge} only.
 */
@NullMarked
package dev.convlens.bridge.graph;

import org.jspecify.annotations.NullMarked;
