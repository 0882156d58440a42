package dev.convlens.visualize.activations;

import java.awt.image.BufferedImage;

/**
 * One rendered page of a layer's channel grid and its geometry: channels
 * {@code firstChannel .. firstChannel + channelCount - 1} of image {@code image}, in {@code rows}
 * x {@code columns} tiles of {@code tileHeight} x {@code tileWidth} pixels, {@code margin} pixels
 * apart, below a title band of {@code titleHeight} pixels. Tile {@code i} of the page has its top
 * left corner at {@code (titleHeight + (i / columns) * (tileHeight + margin), (i % columns) * (tileWidth + margin))}.
 */
public record ActivationGrid(String layer, int image, BufferedImage picture, int page, int pages, int firstChannel,
    int channelCount, int rows, int columns, int tileHeight, int tileWidth, int margin, int titleHeight) {}
