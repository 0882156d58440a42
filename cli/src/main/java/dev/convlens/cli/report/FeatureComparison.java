package dev.convlens.cli.report;

import static dev.convlens.cli.report.Html.esc;

import dev.convlens.bridge.InvalidInputException;
import dev.convlens.bridge.KerasModel;
import dev.convlens.visualize.filters.ChannelMaxima;
import dev.convlens.visualize.filters.FeatureQuality;
import dev.convlens.visualize.filters.FeatureResult;
import dev.convlens.visualize.filters.QualityOptions;
import dev.convlens.visualize.render.Grid;
import java.awt.Color;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Feature visualizations of the channels of one layer, rendered two ways (usually the readable
 * preset and plain pixel space) and measured against a reference dataset: titled grids, an HTML
 * table of the three quality numbers per channel, and per render the share of live channels that
 * reach their dataset maximum and the median robustness. Dead channels are marked and left out of
 * both summaries. Used by {@code convlens features --compare} and the report's filters section.
 */
public final class FeatureComparison {
  /** Gap between grid tiles, in pixels. */
  static final int MARGIN = 4;

  private FeatureComparison() {}

  /**
   * One render of the channels.
   *
   * @param name how the page calls it, e.g. "readable (Fourier, decorrelated, transforms)"
   * @param results one per channel, in the order of the channels
   * @param quality one per result, same order
   */
  public record Side(String name, List<FeatureResult> results, List<FeatureQuality> quality) {
    public Side {
      if (results.size() != quality.size()) {
        throw new InvalidInputException(name + ": " + results.size() + " results but " + quality.size() + " qualities");
      }
      results = List.copyOf(results);
      quality = List.copyOf(quality);
    }

    /** Channels whose objective was not dead. */
    public int live() {
      return (int) results.stream().filter(r -> !r.dead()).count();
    }

    /** The share of live channels with an activation ratio of at least 1, or NaN when none is live. */
    public double shareReachingMax() {
      int reached = 0;
      for (int i = 0; i < results.size(); i++) {
        if (!results.get(i).dead() && quality.get(i).activationRatio() >= 1) {
          reached++;
        }
      }
      return live() == 0 ? Double.NaN : reached / (double) live();
    }

    /** The median robustness of the live channels, or NaN when none is live. */
    public double medianRobustness() {
      List<Double> values = new ArrayList<>();
      for (int i = 0; i < results.size(); i++) {
        if (!results.get(i).dead()) {
          values.add(quality.get(i).robustness());
        }
      }
      return median(values);
    }
  }

  /**
   * The quality of each result as a visualization of {@code channels.get(i)} of the layer of
   * {@code maxima}, measured on the picture as the model is fed it ({@link FeatureResult#input()}).
   */
  public static List<FeatureQuality> measure(KerasModel model, ChannelMaxima maxima, List<Integer> channels,
      List<FeatureResult> results, QualityOptions options) {
    return FeatureQuality.measureAll(model, maxima, channels, results.stream().map(FeatureResult::input).toList(), options);
  }

  /**
   * The pictures in rows of {@code ceil(sqrt(n))} on black, each under a white band with its title
   * (and "dead" for a dead objective).
   */
  public static BufferedImage grid(List<FeatureResult> results, List<String> titles) {
    if (results.isEmpty() || results.size() != titles.size()) {
      throw new InvalidInputException("a feature grid needs one title per result, got " + results.size() + " results and "
          + titles.size() + " titles");
    }
    List<BufferedImage> tiles = new ArrayList<>(results.size());
    for (int i = 0; i < results.size(); i++) {
      FeatureResult r = results.get(i);
      tiles.add(Grid.titled(r.image(), titles.get(i) + (r.dead() ? " dead" : "")));
    }
    return Grid.of(tiles, (int) Math.ceil(Math.sqrt(tiles.size())), MARGIN, Color.BLACK);
  }

  /**
   * An HTML fragment: the two grids side by side ({@code files}: the PNG of each side, beside the
   * page), each with its summary line, then one table row per channel with both sides' numbers.
   */
  public static String html(String layer, List<Integer> channels, List<Side> sides, List<String> files, int gridWidth) {
    if (sides.isEmpty() || sides.size() != files.size()) {
      throw new InvalidInputException("feature comparison: expected one grid file per side, got " + sides.size()
          + " sides and " + files.size() + " files");
    }
    StringBuilder b = new StringBuilder("<div class=\"row\">\n");
    for (int s = 0; s < sides.size(); s++) {
      Side side = sides.get(s);
      b.append("<figure><img class=\"grid").append(gridWidth < 360 ? " pixel" : "").append("\" src=\"")
          .append(esc(files.get(s))).append("\" alt=\"").append(esc(side.name())).append(" of ").append(esc(layer))
          .append("\" width=\"").append(Math.min(560, Math.max(gridWidth, 360))).append("\"><figcaption><b>")
          .append(esc(side.name())).append("</b>: ").append(summary(side)).append("</figcaption></figure>\n");
    }
    b.append("</div>\n<table class=\"feature-quality\"><tr><th class=\"name\">channel of ").append(esc(layer)).append("</th>");
    for (Side side : sides) {
      b.append("<th colspan=\"3\">").append(esc(side.name())).append("</th>");
    }
    b.append("</tr>\n<tr><th></th>");
    for (int s = 0; s < sides.size(); s++) {
      b.append("<th title=\"activation / dataset maximum\">activation ratio</th>")
          .append("<th title=\"share of the activation kept under random moves\">robustness</th>")
          .append("<th title=\"own ratio / mean ratio of the other channels\">selectivity</th>");
    }
    b.append("</tr>\n");
    for (int i = 0; i < channels.size(); i++) {
      b.append("<tr><td class=\"name\">").append(channels.get(i)).append("</td>");
      for (Side side : sides) {
        FeatureQuality q = side.quality().get(i);
        if (side.results().get(i).dead()) {
          b.append("<td colspan=\"3\" class=\"dead\" style=\"text-align:center;color:#b3261e\">dead</td>");
        } else {
          b.append("<td>").append(fmt(q.activationRatio())).append("</td><td>").append(fmt(q.robustness()))
              .append("</td><td>").append(fmt(q.selectivity())).append("</td>");
        }
      }
      b.append("</tr>\n");
    }
    b.append("</table>\n");
    return b.toString();
  }

  /** A whole page ({@code compare.html}) holding {@link #html}, titled {@code title}. */
  public static String page(String title, String note, String layer, List<Integer> channels, List<Side> sides,
      List<String> files, int gridWidth) {
    return Html.head(title) + "<h1>" + esc(title) + "</h1>\n<p class=\"note\">" + esc(note) + "</p>\n"
        + html(layer, channels, sides, files, gridWidth) + Html.foot();
  }

  /** "12 of 16 live channels (75%) reach their dataset maximum; median robustness 0.83; 0 dead". */
  public static String summary(Side side) {
    int live = side.live();
    int dead = side.results().size() - live;
    if (live == 0) {
      return "all " + dead + " channels dead";
    }
    int reached = (int) Math.round(side.shareReachingMax() * live);
    return String.format(Locale.ROOT, "%d of %d live channels (%.0f%%) reach their dataset maximum; median robustness %s;"
        + " %d dead", reached, live, 100 * side.shareReachingMax(), fmt(side.medianRobustness()), dead);
  }

  /** Three significant digits; "inf" for +Infinity (a channel that never fired on the dataset but fires here). */
  public static String fmt(double v) {
    if (Double.isInfinite(v)) {
      return v > 0 ? "inf" : "-inf";
    }
    if (Double.isNaN(v)) {
      return "nan";
    }
    return String.format(Locale.ROOT, "%.3g", v);
  }

  private static double median(List<Double> values) {
    if (values.isEmpty()) {
      return Double.NaN;
    }
    List<Double> sorted = values.stream().sorted().toList();
    int n = sorted.size();
    return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
  }
}
