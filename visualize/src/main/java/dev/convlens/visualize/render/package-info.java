/**
 * Pictures: matplotlib's colormaps, float arrays to images, grids of tiles, atomic PNG/JPEG files,
 * and the bilinear resize of a map ({@link dev.convlens.visualize.render.Resize}).
 * {@link dev.convlens.visualize.render.Animation} turns the snapshots of an optimization into an
 * animated GIF (the JDK's own GIF writer) or a strip of frames.
 * Used by the activation, filter, CAM and metrics packages; depends only on tf-bridge's {@code FloatTensor}.
 */
@NullMarked
package dev.convlens.visualize.render;

import org.jspecify.annotations.NullMarked;
