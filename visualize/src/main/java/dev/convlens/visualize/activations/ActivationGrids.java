package dev.convlens.visualize.activations;

import dev.convlens.bridge.InvalidInputException;
import dev.convlens.visualize.render.Colormap;
import dev.convlens.visualize.render.Grid;
import dev.convlens.visualize.render.Images;
import java.awt.Color;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The book's activation pictures (listing 5.31): every channel standardized on its own
 * ({@code x -= mean; x /= std; x *= 64; x += 128}, clipped to 0..255, truncated to uint8 as
 * {@code astype('uint8')} does) and drawn with viridis, 16 channels per row, the layer name as title.
 *
 * <p>Colors: uint8 value {@code u} is drawn as {@code viridis(u / 255)}. The book's
 * {@code plt.matshow} instead stretches the whole grid's min..max over the colormap; after the
 * clip that is 0..255 whenever some value was clipped at both ends, and the fixed mapping keeps
 * tiles and layers comparable. A channel with zero variance (e.g. an all-zero ReLU channel),
 * where the book's division gives NaN, is drawn as 0: the lowest viridis color, dark violet.
 */
public final class ActivationGrids {
  /** Between tiles and pages' unused cells. */
  static final Color BACKGROUND = Color.WHITE;

  private ActivationGrids() {}

  /**
   * The book's standardization of one channel map, clipped to 0..255 (before the uint8 cut);
   * all zeros when the channel is constant. Mean and standard deviation (ddof 0) in double.
   */
  public static float[] standardize(float[] channel) {
    float[] out = new float[channel.length];
    if (channel.length == 0) {
      return out;
    }
    float lo = channel[0];
    float hi = channel[0];
    double sum = 0;
    for (float v : channel) {
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
      sum += v;
    }
    if (lo == hi) {
      return out; // zero variance: std would be 0 and the book's division NaN
    }
    double mean = sum / channel.length;
    double sq = 0;
    for (float v : channel) {
      sq += (v - mean) * (v - mean);
    }
    double std = Math.sqrt(sq / channel.length);
    for (int i = 0; i < channel.length; i++) {
      double x = (channel[i] - mean) / std * 64 + 128;
      out[i] = (float) Math.max(0, Math.min(255, x));
    }
    return out;
  }

  /** The color of a standardized value: uint8 truncation, then {@code viridis(u / 255)}. */
  static int color(float standardized) {
    int u = (int) standardized; // values are already clipped to 0..255, so this is astype('uint8')
    return Colormap.VIRIDIS.rgb(u / 255.0);
  }

  /**
   * The channel grid(s) of one image of a {@code [N, H, W, C]} layer output: one page unless
   * {@link GridOptions#channelsPerPage()} splits it.
   */
  public static List<ActivationGrid> render(LayerOutput out, int image, GridOptions options) {
    requireSpatial(out);
    out.checkImage(image);
    int shown = options.maxChannels() == 0 ? out.channels() : Math.min(options.maxChannels(), out.channels());
    int perPage = options.channelsPerPage() == 0 ? shown : options.channelsPerPage();
    int pages = (shown + perPage - 1) / perPage;
    List<ActivationGrid> grids = new ArrayList<>(pages);
    for (int p = 0; p < pages; p++) {
      int first = p * perPage;
      int count = Math.min(perPage, shown - first);
      grids.add(page(out, image, options, first, count, p, pages, shown));
    }
    return List.copyOf(grids);
  }

  /**
   * The grids of every layer in {@code activations} for one image, in layer order, reporting each
   * finished layer to {@code progress}. Every layer must be a {@code [N, H, W, C]} output; this is
   * checked before anything is drawn.
   */
  public static List<ActivationGrid> renderAll(LayerActivations activations, int image, GridOptions options,
      ActivationProgress progress) {
    activations.layers().forEach(ActivationGrids::requireSpatial);
    activations.layers().get(0).checkImage(image);
    List<ActivationGrid> all = new ArrayList<>();
    int total = activations.layers().size();
    int done = 0;
    for (LayerOutput out : activations.layers()) {
      all.addAll(render(out, image, options));
      progress.layerDone(++done, total, out.layer());
    }
    return List.copyOf(all);
  }

  /**
   * One channel on its own as the book's {@code plt.matshow(activation[0, :, :, k], cmap='viridis')}
   * shows it: the raw values, the channel's own min..max stretched over viridis (a constant channel
   * takes the lowest color), each value a {@code scale x scale} block.
   */
  public static BufferedImage renderChannel(LayerOutput out, int image, int channel, int scale) {
    requireSpatial(out);
    if (scale < 1 || scale > 64) {
      throw new InvalidInputException("scale must be 1..64, got " + scale);
    }
    float[] values = out.channel(image, channel);
    double lo = Double.POSITIVE_INFINITY;
    double hi = Double.NEGATIVE_INFINITY;
    for (float v : values) {
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
    BufferedImage small = Images.colored(values, out.height(), out.width(), lo, hi, Colormap.VIRIDIS);
    return scale == 1 ? small : enlarge(small, scale);
  }

  private static ActivationGrid page(LayerOutput out, int image, GridOptions o, int first, int count, int page,
      int pages, int shown) {
    int h = out.height();
    int w = out.width();
    List<BufferedImage> tiles = new ArrayList<>(count);
    for (int k = first; k < first + count; k++) {
      float[] z = standardize(out.channel(image, k));
      BufferedImage tile = new BufferedImage(w * o.scale(), h * o.scale(), BufferedImage.TYPE_INT_RGB);
      for (int y = 0; y < h; y++) {
        for (int x = 0; x < w; x++) {
          int rgb = color(z[y * w + x]);
          for (int dy = 0; dy < o.scale(); dy++) {
            for (int dx = 0; dx < o.scale(); dx++) {
              tile.setRGB(x * o.scale() + dx, y * o.scale() + dy, rgb);
            }
          }
        }
      }
      tiles.add(tile);
    }
    BufferedImage grid = Grid.of(tiles, o.imagesPerRow(), o.margin(), BACKGROUND);
    BufferedImage titled = Grid.titled(grid, title(out, image, first, count, shown, pages));
    int columns = Math.min(o.imagesPerRow(), count);
    int rows = (count + o.imagesPerRow() - 1) / o.imagesPerRow();
    return new ActivationGrid(out.layer(), image, titled, page, pages, first, count, rows, columns,
        h * o.scale(), w * o.scale(), o.margin(), titled.getHeight() - grid.getHeight());
  }

  private static String title(LayerOutput out, int image, int first, int count, int shown, int pages) {
    StringBuilder t = new StringBuilder(out.layer());
    if (pages > 1 || shown < out.channels()) {
      t.append(" (channels ").append(first).append('-').append(first + count - 1).append(" of ")
          .append(out.channels()).append(')');
    }
    if (out.batchSize() > 1) {
      t.append(" [image ").append(image).append(']');
    }
    return t.toString();
  }

  private static BufferedImage enlarge(BufferedImage small, int scale) {
    BufferedImage big = new BufferedImage(small.getWidth() * scale, small.getHeight() * scale, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < big.getHeight(); y++) {
      for (int x = 0; x < big.getWidth(); x++) {
        big.setRGB(x, y, small.getRGB(x / scale, y / scale));
      }
    }
    return big;
  }

  private static void requireSpatial(LayerOutput out) {
    if (!out.isSpatial()) {
      throw new InvalidInputException("layer '" + out.layer() + "' (" + out.className() + ") has output shape "
          + Arrays.toString(out.value().shape()) + "; only [N, H, W, C] outputs are drawn as channel grids");
    }
  }
}
