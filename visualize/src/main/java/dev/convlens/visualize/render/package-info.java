/**
 * Pictures: matplotlib's colormaps, float arrays to images, grids of tiles, atomic PNG/JPEG files.
 * Used by the activation, filter and CAM packages; depends only on tf-bridge's {@code FloatTensor}.
 */
@NullMarked
package dev.convlens.visualize.render;

import org.jspecify.annotations.NullMarked;
