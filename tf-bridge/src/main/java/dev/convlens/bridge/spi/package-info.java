/**
 * The service-provider interface between tf-bridge and the convlens modules that add ops to a
 * model's graph: {@link dev.convlens.bridge.spi.ModelGraph} (from {@code KerasModel.graph()}),
 * {@link dev.convlens.bridge.spi.GraphScope}, {@link dev.convlens.bridge.spi.ExtensionKey},
 * {@link dev.convlens.bridge.spi.ModelRun}, {@link dev.convlens.bridge.spi.LayerHandle} and
 * {@link dev.convlens.bridge.spi.ModelVariable}.
 *
 * <p>Not a user API: only tf-bridge, visualize, finetune and cli may use it (an ArchUnit rule in
 * each module's tests enforces that). It exposes TensorFlow Java types; the public API does not.
 * Depends on the {@code bridge} value types, {@code keras.WeightSpec} and {@code graph.LayerOutput}
 * only.
 */
@NullMarked
package dev.convlens.bridge.spi;

import org.jspecify.annotations.NullMarked;
