/**
 * convlens visualize: what a convnet sees. {@code activations} (layer outputs as grids and
 * statistics), {@code filters} (gradient ascent in input space), {@code cam} (Grad-CAM and
 * friends), {@code render} (colormaps, grids, image files). All build on tf-bridge's KerasModel.
 */
package dev.convlens.visualize;
