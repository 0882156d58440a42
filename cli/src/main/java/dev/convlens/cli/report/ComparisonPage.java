package dev.convlens.cli.report;

import dev.convlens.bridge.ConvlensException;
import dev.convlens.cli.compare.Comparison;
import dev.convlens.cli.compare.Comparison.MethodScores;
import dev.convlens.cli.compare.LabeledImages.Sample;
import dev.convlens.visualize.cam.Overlay;
import dev.convlens.visualize.metrics.ConfidenceChange;
import dev.convlens.visualize.metrics.Interval;
import dev.convlens.visualize.metrics.Intervals;
import dev.convlens.visualize.render.Colormap;
import dev.convlens.visualize.render.Images;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * The method comparison as one HTML page: a table ranking the methods by each metric with 95 %
 * intervals (Wilson for rates, percentile bootstrap for means), the randomization check's verdict,
 * the cost per image, and the maps of a few images side by side (PNG files beside the page).
 */
public final class ComparisonPage {
  /**
   * The verdict's bands of the mean rank correlation with the randomized model's map: below the
   * first the map depends on the weights, above the second it barely does, in between it keeps
   * much of the image's own structure (Adebayo et al. found gradient maps there, edge-like).
   */
  static final double DEPENDS = 0.3;
  static final double BARELY = 0.6;

  private ComparisonPage() {}

  /** One column of the table: its name, which direction is better, and each method's interval (null: not measured). */
  private record Metric(String name, boolean higherIsBetter, String help, Function<MethodScores, @Nullable Interval> of) {}

  private static final List<Metric> METRICS = List.of(
      new Metric("pointing game", true, "share of maps whose maximum is on the object's box (Wilson)",
          s -> s.hits().isEmpty() ? null : Intervals.wilson((int) s.hits().stream().filter(h -> h).count(), s.hits().size())),
      new Metric("deletion AUC", false, "probability while the top pixels are removed (RISE; lower is better)",
          s -> mean(s.deletion())),
      new Metric("insertion AUC", true, "probability while the top pixels are put back (RISE; higher is better)",
          s -> mean(s.insertion())),
      new Metric("ROAD MoRF", false, "mean probability with the top 10..90 % imputed (lower is better)",
          s -> mean(s.road())),
      new Metric("average drop", false, "mean relative drop of the probability on image x map (lower is better)",
          s -> mean(s.changes().stream().map(ConfidenceChange::drop).toList())),
      new Metric("increase", true, "share of images whose image x map scores higher than the image (Wilson)",
          s -> s.changes().isEmpty() ? null
              : Intervals.wilson((int) s.changes().stream().filter(ConfidenceChange::increased).count(), s.changes().size())),
      new Metric("randomization", false, "Spearman correlation with the map of the model with its top layers"
          + " re-initialised (lower: the map depends on the weights)", s -> mean(s.randomization())));

  /** Writes {@code index.html} and the map images into {@code dir}; returns the page. */
  public static Path write(Comparison.Result result, Path dir, String modelName, String dataName, String classNamesText) {
    try {
      Files.createDirectories(dir.resolve("maps"));
      StringBuilder b = new StringBuilder(Html.head("convlens: which attribution method to trust on " + modelName));
      b.append("<header><h1>Which attribution method to trust</h1><p class=\"meta\">model ").append(Html.esc(modelName))
          .append(", data ").append(Html.esc(dataName)).append(", ").append(result.images()).append(" images, ")
          .append(result.methods().size()).append(" methods; every map explains the image's true class (")
          .append(Html.esc(classNamesText)).append(")</p></header>\n");
      if (result.stopReason() != null) {
        b.append("<p class=\"note\"><b>Stopped early:</b> ").append(Html.esc(result.stopReason()))
            .append("; every method has the same ").append(result.images()).append(" images.</p>\n");
      }
      table(b, result);
      rankings(b, result);
      sanity(b, result);
      maps(b, result, dir);
      b.append(Html.foot());
      Path page = dir.resolve("index.html");
      Path tmp = dir.resolve("index.html.tmp");
      Files.writeString(tmp, b.toString());
      Files.move(tmp, page, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
      return page;
    } catch (IOException e) {
      throw new ConvlensException("cannot write the comparison report into " + dir + ": " + e.getMessage(), e);
    }
  }

  private static void table(StringBuilder b, Comparison.Result r) {
    b.append("<h2>Metrics</h2>\n<p class=\"note\">Mean [95 % interval] over the images, and the rank among the methods"
        + " (1 = best).</p>\n<table><tr><th class=\"name\">method</th><th class=\"name\">layer</th><th title=\"median time of the explanation alone\">ms / image</th>");
    for (Metric m : METRICS) {
      b.append("<th title=\"").append(Html.esc(m.help())).append("\">").append(Html.esc(m.name()))
          .append(m.higherIsBetter() ? " &uarr;" : " &darr;").append("</th>");
    }
    b.append("</tr>\n");
    for (MethodScores s : r.methods()) {
      b.append("<tr><td class=\"name\">").append(Html.esc(s.method().cliName())).append("</td><td class=\"name\">")
          .append(Html.esc(s.layer())).append("</td><td>").append(fmt(median(s.millis()))).append("</td>");
      for (Metric m : METRICS) {
        Interval i = m.of().apply(s);
        b.append("<td>");
        if (i == null) {
          b.append("&ndash;");
        } else {
          b.append(fmt(i.estimate())).append(" <span class=\"note\">[").append(fmt(i.lower())).append(", ")
              .append(fmt(i.upper())).append("]</span> <sup>#").append(rank(r, m, s)).append("</sup>");
        }
        b.append("</td>");
      }
      b.append("</tr>\n");
    }
    b.append("</table>\n<p class=\"note\">");
    for (Metric m : METRICS) {
      b.append("<b>").append(Html.esc(m.name())).append("</b>: ").append(Html.esc(m.help())).append(". ");
    }
    b.append("</p>\n");
  }

  private static void rankings(StringBuilder b, Comparison.Result r) {
    b.append("<h2>Ranking by each metric</h2>\n<table><tr><th class=\"name\">metric</th><th class=\"name\">best to worst</th></tr>\n");
    for (Metric m : METRICS) {
      List<MethodScores> ranked = ranked(r, m);
      if (ranked.isEmpty()) {
        continue;
      }
      b.append("<tr><td class=\"name\">").append(Html.esc(m.name())).append("</td><td class=\"name\">");
      List<String> names = new ArrayList<>();
      for (MethodScores s : ranked) {
        names.add(s.method().cliName() + " " + fmt(m.of().apply(s).estimate()));
      }
      b.append(Html.esc(String.join(" > ", names))).append("</td></tr>\n");
    }
    b.append("</table>\n");
  }

  private static void sanity(StringBuilder b, Comparison.Result r) {
    b.append("<h2>Does the map depend on the model?</h2>\n<p class=\"note\">The model-randomization check (Adebayo et al."
        + " 2018): the rank correlation of each map with the map of the same model whose top layers are re-initialised."
        + " A mean below ").append(DEPENDS).append(" means the map changes with the weights; above ").append(BARELY)
        .append(" it barely changes and is not explaining the model; in between the map keeps much of the image's own"
        + " structure whatever the weights.</p>\n<ul>\n");
    for (MethodScores s : r.methods()) {
      Interval i = mean(s.randomization());
      b.append("<li><code>").append(Html.esc(s.method().cliName())).append("</code>: ");
      if (i == null) {
        b.append("not measured").append(s.constantUnderRandomization() > 0
            ? " (its map was constant on the randomized model on " + s.constantUnderRandomization() + " images)" : "");
      } else {
        b.append(i.estimate() < DEPENDS ? "depends on the weights" : i.estimate() <= BARELY
            ? "depends partly on the weights" : "<b>barely depends on the weights</b>")
            .append(" (").append(fmt(i.estimate())).append(" over ").append(s.randomization().size()).append(" images")
            .append(s.constantUnderRandomization() > 0 ? ", constant on " + s.constantUnderRandomization() : "")
            .append(")");
      }
      b.append("</li>\n");
    }
    b.append("</ul>\n");
  }

  private static void maps(StringBuilder b, Comparison.Result r, Path dir) {
    if (r.shown().isEmpty()) {
      return;
    }
    b.append("<h2>Maps side by side</h2>\n<table><tr><th class=\"name\">image</th>");
    for (MethodScores s : r.methods()) {
      b.append("<th class=\"name\">").append(Html.esc(s.method().cliName())).append("</th>");
    }
    b.append("</tr>\n");
    for (int i = 0; i < r.shown().size(); i++) {
      Sample sample = r.shown().get(i);
      String photo = "maps/" + i + "_image.png";
      Images.write(Images.rgb(sample.picture()), dir.resolve(photo));
      b.append("<tr><td>").append(img(photo, sample)).append("<br><span class=\"note\">")
          .append(Html.esc(sample.file().getFileName().toString())).append("</span></td>");
      for (MethodScores s : r.methods()) {
        String file = "maps/" + i + "_" + s.method().cliName().replaceAll("[^A-Za-z0-9]", "_") + ".png";
        Images.write(Overlay.superimpose(sample.picture(), s.shown().get(i), Colormap.JET, Overlay.BOOK_ALPHA),
            dir.resolve(file));
        b.append("<td>").append(img(file, sample)).append("</td>");
      }
      b.append("</tr>\n");
    }
    b.append("</table>\n");
  }

  private static String img(String src, Sample s) {
    int w = (int) s.picture().dim(1);
    int shown = w < 128 ? w * 2 : Math.min(w, 224);
    return "<img class=\"pixel\" src=\"" + Html.esc(src) + "\" width=\"" + shown + "\" alt=\"\">";
  }

  private static List<MethodScores> ranked(Comparison.Result r, Metric m) {
    Comparator<MethodScores> byEstimate = Comparator.comparingDouble(s -> m.of().apply(s).estimate());
    return r.methods().stream().filter(s -> m.of().apply(s) != null)
        .sorted(m.higherIsBetter() ? byEstimate.reversed() : byEstimate).toList();
  }

  /** Competition ranking: 1 + the number of methods strictly better, so ties share a rank. */
  private static int rank(Comparison.Result r, Metric m, MethodScores s) {
    double mine = java.util.Objects.requireNonNull(m.of().apply(s)).estimate();
    int better = 0;
    for (MethodScores o : r.methods()) {
      Interval i = m.of().apply(o);
      if (i != null && (m.higherIsBetter() ? i.estimate() > mine : i.estimate() < mine)) {
        better++;
      }
    }
    return better + 1;
  }

  private static @Nullable Interval mean(List<Double> values) {
    return values.isEmpty() ? null : Intervals.bootstrapMean(values.stream().mapToDouble(Double::doubleValue).toArray());
  }

  private static double median(List<Double> values) {
    double[] v = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    return v.length == 0 ? Double.NaN : v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
  }

  private static String fmt(double v) {
    return Double.isNaN(v) ? "&ndash;" : Math.abs(v) >= 100 ? String.format(Locale.ROOT, "%.0f", v)
        : String.format(Locale.ROOT, "%.3f", v);
  }
}
