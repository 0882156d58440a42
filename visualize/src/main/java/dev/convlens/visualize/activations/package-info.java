/**
 * Intermediate activations (the book's listings 5.25-5.31): the outputs of chosen layers for an
 * image or a batch, fetched in one session run ({@link dev.convlens.visualize.activations.Activations}),
 * per-layer statistics ({@link dev.convlens.visualize.activations.LayerStats}: blank channels,
 * mean, max, spatial size) and the standardized viridis channel grids
 * ({@link dev.convlens.visualize.activations.ActivationGrids}).
 * Depends on tf-bridge's {@code KerasModel}/{@code FloatArray} and on {@code visualize.render}.
 */
package dev.convlens.visualize.activations;
