package dev.convlens.visualize.activations;

import dev.convlens.bridge.InvalidInputException;

/**
 * How a layer's channels are laid out: {@code imagesPerRow} tiles per row (the book's 16), each
 * tile the layer's spatial size times {@code scale} (nearest neighbour, for tiny maps),
 * {@code margin} pixels between tiles, at most {@code maxChannels} channels (0: all) split into
 * pages of {@code channelsPerPage} channels (0: one page).
 */
public record GridOptions(int imagesPerRow, int scale, int margin, int maxChannels, int channelsPerPage) {
  public GridOptions {
    check(imagesPerRow >= 1, "imagesPerRow", imagesPerRow, "1 or more");
    check(scale >= 1 && scale <= 64, "scale", scale, "1..64");
    check(margin >= 0 && margin <= 64, "margin", margin, "0..64");
    check(maxChannels >= 0, "maxChannels", maxChannels, "0 (all) or more");
    check(channelsPerPage >= 0, "channelsPerPage", channelsPerPage, "0 (one page) or more");
  }

  /** 16 tiles per row, scale 1, 1-pixel margins (as the book's second edition), every channel on one page. */
  public static GridOptions defaults() {
    return new GridOptions(16, 1, 1, 0, 0);
  }

  public GridOptions withImagesPerRow(int n) {
    return new GridOptions(n, scale, margin, maxChannels, channelsPerPage);
  }

  public GridOptions withScale(int s) {
    return new GridOptions(imagesPerRow, s, margin, maxChannels, channelsPerPage);
  }

  public GridOptions withMargin(int m) {
    return new GridOptions(imagesPerRow, scale, m, maxChannels, channelsPerPage);
  }

  public GridOptions withMaxChannels(int n) {
    return new GridOptions(imagesPerRow, scale, margin, n, channelsPerPage);
  }

  public GridOptions withChannelsPerPage(int n) {
    return new GridOptions(imagesPerRow, scale, margin, maxChannels, n);
  }

  private static void check(boolean ok, String name, int value, String expected) {
    if (!ok) {
      throw new InvalidInputException("grid option " + name + " must be " + expected + ", got " + value);
    }
  }
}
