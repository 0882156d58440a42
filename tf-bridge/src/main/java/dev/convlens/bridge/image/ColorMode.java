package dev.convlens.bridge.image;

/** Keras' {@code color_mode} for {@code load_img}: the channels of the returned array. */
public enum ColorMode {
  /** Three channels R, G, B (Pillow {@code convert("RGB")}; alpha is dropped, not blended). */
  RGB(3),
  /** One channel: Pillow's 'L' luma, {@code (19595 R + 38470 G + 7471 B + 0x8000) >> 16}. */
  GRAYSCALE(1),
  /** Four channels R, G, B, A; opaque images get A = 255. */
  RGBA(4);

  private final int channels;

  ColorMode(int channels) {
    this.channels = channels;
  }

  public int channels() {
    return channels;
  }
}
