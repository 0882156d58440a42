/**
 * Intermediate activations (the book's listings 5.25-5.31): the outputs of chosen layers for an
 * image or a batch, fetched in one session run ({@link dev.convlens.visualize.activations.Activations},
 * whose default choice is every layer the registry classes as convolutional or pooling),
 * per-layer statistics ({@link dev.convlens.visualize.activations.LayerStats}: blank channels,
 * mean, max, spatial size) and the standardized viridis channel grids
 * ({@link dev.convlens.visualize.activations.ActivationGrids}).
 *
 * <p>Public: Activations, LayerActivations, LayerOutput, LayerStats, ActivationGrids,
 * ActivationGrid, GridOptions, ActivationProgress. Depends on tf-bridge's public API
 * ({@code KerasModel}, {@code FloatTensor}, {@code LayerInfo}/{@code LayerTrait}; it adds no ops),
 * Apache Commons Math (mean and standard deviation) and {@code visualize.render}.
 */
@NullMarked
package dev.convlens.visualize.activations;

import org.jspecify.annotations.NullMarked;
