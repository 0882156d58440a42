package dev.convlens.visualize.render;

/**
 * Bilinear resizing of a single-channel map with half-pixel centers and clamped edges: the
 * convention of OpenCV's {@code cv2.resize} (the book's) and of {@code tf.image.resize}. Shared by
 * heatmaps, Score-CAM's masks and the metrics, which resize maps to the image.
 */
public final class Resize {
  private Resize() {}

  /** {@code src [srcH, srcW]} resized to {@code [dstH, dstW]}; the same size gives the same values. */
  public static float[] bilinear(float[] src, int srcH, int srcW, int dstH, int dstW) {
    int[] y0 = new int[dstH];
    int[] y1 = new int[dstH];
    float[] fy = new float[dstH];
    axis(srcH, dstH, y0, y1, fy);
    int[] x0 = new int[dstW];
    int[] x1 = new int[dstW];
    float[] fx = new float[dstW];
    axis(srcW, dstW, x0, x1, fx);
    float[] out = new float[dstH * dstW];
    for (int y = 0; y < dstH; y++) {
      int r0 = y0[y] * srcW;
      int r1 = y1[y] * srcW;
      for (int x = 0; x < dstW; x++) {
        float top = src[r0 + x0[x]] + (src[r0 + x1[x]] - src[r0 + x0[x]]) * fx[x];
        float bottom = src[r1 + x0[x]] + (src[r1 + x1[x]] - src[r1 + x0[x]]) * fx[x];
        out[y * dstW + x] = top + (bottom - top) * fy[y];
      }
    }
    return out;
  }

  private static void axis(int src, int dst, int[] lo, int[] hi, float[] frac) {
    double scale = (double) src / dst;
    for (int i = 0; i < dst; i++) {
      double s = Math.min(Math.max((i + 0.5) * scale - 0.5, 0), src - 1);
      lo[i] = (int) Math.floor(s);
      hi[i] = Math.min(lo[i] + 1, src - 1);
      frac[i] = (float) (s - lo[i]);
    }
  }
}
