package dev.convlens.cli.report;

import static dev.convlens.cli.report.Html.esc;

import dev.convlens.bridge.FloatTensor;
import dev.convlens.bridge.InvalidInputException;
import dev.convlens.bridge.KerasModel;
import dev.convlens.bridge.LayerInfo;
import dev.convlens.bridge.image.ClassNames;
import dev.convlens.bridge.image.Prediction;
import dev.convlens.bridge.image.Preprocessing;
import dev.convlens.bridge.io.AtomicFiles;
import dev.convlens.visualize.activations.ActivationGrid;
import dev.convlens.visualize.activations.ActivationGrids;
import dev.convlens.visualize.activations.Activations;
import dev.convlens.visualize.activations.GridOptions;
import dev.convlens.visualize.activations.LayerActivations;
import dev.convlens.visualize.activations.LayerOutput;
import dev.convlens.visualize.activations.LayerStats;
import dev.convlens.visualize.cam.CamExplainer;
import dev.convlens.visualize.cam.CamOptions;
import dev.convlens.visualize.cam.Heatmap;
import dev.convlens.visualize.cam.Overlay;
import dev.convlens.visualize.filters.ChannelMaxima;
import dev.convlens.visualize.filters.FeatureOptions;
import dev.convlens.visualize.filters.FeatureResult;
import dev.convlens.visualize.filters.FeatureVisualizer;
import dev.convlens.visualize.filters.FilterGrid;
import dev.convlens.visualize.filters.FilterOptions;
import dev.convlens.visualize.filters.FilterResult;
import dev.convlens.visualize.filters.FilterVisualizer;
import dev.convlens.visualize.filters.Objective;
import dev.convlens.visualize.filters.QualityOptions;
import dev.convlens.visualize.render.Colormap;
import dev.convlens.visualize.render.Images;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;
import java.util.stream.IntStream;

/**
 * One HTML page that explains a model on one image: the Keras summary, the top predictions,
 * Grad-CAM overlays for them, the activation grids of every conv and pool layer with their
 * statistics (blank channels), filter patterns for a few conv layers from shallow to deep, and the
 * feature visualization of one middle conv layer (readable preset beside pixel space, measured).
 * Writes {@code index.html} and the PNGs it shows into one folder (relative links, no network).
 */
public final class Report {
  /** Section ids of the page, in order (the browser test looks for them). */
  public static final List<String> SECTIONS = List.of("summary", "predictions", "gradcam", "activations", "filters");

  private final KerasModel model;
  private final ReportOptions options;
  private final Path out;
  private final Consumer<String> progress;
  private final Preprocessing preprocessing;
  private final List<FloatTensor> reference;

  private Report(KerasModel model, ReportOptions options, Path out, Consumer<String> progress, Preprocessing preprocessing,
      List<FloatTensor> reference) {
    this.model = model;
    this.options = options;
    this.out = out;
    this.progress = progress;
    this.preprocessing = preprocessing;
    this.reference = reference;
  }

  /**
   * Writes the report into {@code out} (created) and returns its {@code index.html}.
   *
   * @param photo the image at the model's input size, RGB 0..255 {@code [H, W, 3]} (before preprocessing)
   * @param preprocessing what the model expects on top of {@code photo}
   * @param names class names for the model's outputs
   * @param title shown as the page heading (e.g. the model's file)
   * @param progress one message per step (for a console)
   */
  public static Path write(KerasModel model, FloatTensor photo, Preprocessing preprocessing, ClassNames names, String title,
      ReportOptions options, Path out, Consumer<String> progress) throws IOException {
    return write(model, photo, photo, preprocessing, names, title, options, out, progress);
  }

  /**
   * As {@link #write(KerasModel, FloatTensor, Preprocessing, ClassNames, String, ReportOptions, Path, Consumer)},
   * with the Grad-CAM overlays drawn on {@code display} (the photo at any size, RGB 0..255
   * {@code [H, W, 3]}) rather than on the model-size image.
   */
  public static Path write(KerasModel model, FloatTensor photo, FloatTensor display, Preprocessing preprocessing,
      ClassNames names, String title, ReportOptions options, Path out, Consumer<String> progress) throws IOException {
    return write(model, photo, display, List.of(photo), preprocessing, names, title, options, out, progress);
  }

  /**
   * As {@link #write(KerasModel, FloatTensor, FloatTensor, Preprocessing, ClassNames, String, ReportOptions, Path, Consumer)},
   * with the feature visualizations measured against {@code reference}: images at the model's input
   * size, RGB 0..255 {@code [H, W, 3]} (before preprocessing), e.g. the demo shapes for the demo model.
   */
  public static Path write(KerasModel model, FloatTensor photo, FloatTensor display, List<FloatTensor> reference,
      Preprocessing preprocessing, ClassNames names, String title, ReportOptions options, Path out,
      Consumer<String> progress) throws IOException {
    if (reference.isEmpty()) {
      throw new InvalidInputException("report reference images: expected at least one [H, W, 3] image, got none");
    }
    long[] in = model.inputShape();
    if (photo.rank() != 3 || photo.dim(0) != in[1] || photo.dim(1) != in[2] || photo.dim(2) != 3) {
      throw new InvalidInputException("report image must be " + in[1] + "x" + in[2] + "x3 (the model's input), got "
          + java.util.Arrays.toString(photo.shape()));
    }
    Files.createDirectories(out);
    if (display.rank() != 3 || display.dim(2) != 3) {
      throw new InvalidInputException("display image must be [H, W, 3], got " + java.util.Arrays.toString(display.shape()));
    }
    return new Report(model, options, out, progress, preprocessing, List.copyOf(reference))
        .page(photo, display, preprocessing.apply(photo), names, title);
  }

  private Path page(FloatTensor photo, FloatTensor display, FloatTensor x, ClassNames names, String title) throws IOException {
    StringBuilder html = new StringBuilder(Html.head("convlens report: " + title));
    html.append("<header><h1>convlens report</h1>\n<p class=\"meta\">Model <b>").append(esc(title)).append("</b> (")
        .append(esc(model.name())).append("), input ").append(in()).append(". Made by <code>convlens report</code>.</p>\n")
        .append("<nav>");
    for (String s : SECTIONS) {
      html.append("<a href=\"#").append(s).append("\">").append(s).append("</a>");
    }
    html.append("</nav></header>\n");
    progress.accept("summary");
    int layers = model.layers().size();
    long params = model.layers().stream().mapToLong(LayerInfo::parameters).sum();
    // A long summary (MobileNet: 90 rows) is folded so the pictures stay near the top.
    html.append(section("summary", "Model summary")).append(layers <= 30 ? "<details open>" : "<details>")
        .append(String.format(Locale.ROOT, "<summary>%d layers, %,d parameters</summary>", layers, params))
        .append("<pre>").append(esc(model.summary())).append("</pre></details>\n</section>\n");

    progress.accept("predictions and Grad-CAM");
    Images.write(Images.rgb(photo), out.resolve("input.png"));
    CamExplainer cam = CamExplainer.of(model, CamOptions.defaults().withLayer(options.camLayer()));
    FloatTensor scores = model.predict(x);
    int outputs = (int) scores.dim(scores.rank() - 1);
    List<Prediction> top = names.decodePredictions(scores, Math.min(options.top(), Math.max(outputs, 1))).get(0);
    html.append(predictions(top));
    html.append(gradcam(cam, display, x, top));

    progress.accept("activations");
    html.append(activations(x));
    html.append(filters());
    html.append(Html.foot());
    Path index = out.resolve("index.html");
    byte[] bytes = html.toString().getBytes(StandardCharsets.UTF_8);
    AtomicFiles.write(index, tmp -> Files.write(tmp, bytes));
    return index;
  }

  private String in() {
    long[] s = model.inputShape();
    return s[1] + "x" + s[2] + "x" + s[3];
  }

  private static String section(String id, String title) {
    return "<section id=\"" + id + "\">\n<h2>" + esc(title) + "</h2>\n";
  }

  /** Small inputs (the demo's 64x64) are shown enlarged, with sharp pixels. */
  private String imgTag(String file, String alt, int width) {
    int w = (int) model.inputShape()[2];
    String cls = w < 160 ? " class=\"pixel\"" : "";
    int shown = w < 160 ? Math.max(width, w) : Math.min(width, w);
    return "<img src=\"" + esc(file) + "\" alt=\"" + esc(alt) + "\" width=\"" + shown + "\"" + cls + ">";
  }

  private String predictions(List<Prediction> top) {
    StringBuilder b = new StringBuilder(section("predictions", "Top-" + top.size() + " predictions"));
    b.append("<div class=\"row\"><figure>").append(imgTag("input.png", "input image", 256))
        .append("<figcaption>The input as the model sees it.</figcaption></figure>\n");
    b.append("<table><tr><th>#</th><th class=\"name\">class</th><th>index</th><th>probability</th><th></th></tr>\n");
    for (int i = 0; i < top.size(); i++) {
      Prediction p = top.get(i);
      b.append(String.format(Locale.ROOT,
          "<tr><td>%d</td><td class=\"name\">%s</td><td>%d</td><td>%.4f</td><td style=\"width:220px;text-align:left\">"
              + "<span class=\"bar\" style=\"width:%dpx\"></span></td></tr>%n",
          i + 1, esc(p.label()), p.index(), p.score(), Math.round(200 * Math.max(0, Math.min(1, p.score())))));
    }
    b.append("</table></div>\n</section>\n");
    return b.toString();
  }

  private String gradcam(CamExplainer cam, FloatTensor display, FloatTensor x, List<Prediction> top) {
    int[] classes = top.stream().mapToInt(Prediction::index).toArray();
    List<Heatmap> maps = cam.explainClasses(x, classes);
    StringBuilder b = new StringBuilder(section("gradcam", "Grad-CAM"));
    b.append("<p class=\"note\">Where the evidence for each class is (the book's Grad-CAM on layer <code>")
        .append(esc(cam.layer())).append("</code>, JET colors over the image, alpha 0.4).</p>\n<div class=\"row\">\n");
    for (int i = 0; i < maps.size(); i++) {
      Heatmap h = maps.get(i);
      String file = "gradcam_" + (i + 1) + ".png";
      Images.write(Overlay.superimpose(display, h, Colormap.JET, Overlay.BOOK_ALPHA), out.resolve(file));
      String tag = display.dim(1) == model.inputShape()[2] ? imgTag(file, "Grad-CAM for " + top.get(i).label(), 256)
          : "<img src=\"" + esc(file) + "\" alt=\"Grad-CAM for " + esc(top.get(i).label()) + "\" width=\""
              + Math.min(360, display.dim(1)) + "\">";
      b.append("<figure>").append(tag).append("<figcaption>")
          .append(i + 1).append(". ").append(esc(top.get(i).label()))
          .append(String.format(Locale.ROOT, " (%.4f)", top.get(i).score()))
          .append(h.degenerate() ? ": no positive evidence, the map is empty" : "")
          .append("</figcaption></figure>\n");
    }
    b.append("</div>\n</section>\n");
    return b.toString();
  }

  private String activations(FloatTensor x) {
    List<String> layers = Activations.convAndPoolLayers(model);
    LayerActivations acts = Activations.fetch(model, x, layers);
    StringBuilder b = new StringBuilder(section("activations", "Activations"));
    b.append("<p class=\"note\">Every conv and pool layer's output for this image, one tile per channel, each "
        + "standardized and drawn with viridis. A blank channel is all zero for this input.</p>\n");
    b.append("<table id=\"blank-channels\"><tr><th class=\"name\">layer</th><th class=\"name\">class</th><th>size</th>"
        + "<th>channels</th><th>blank</th><th>blank %</th><th>mean</th><th>max</th></tr>\n");
    for (LayerStats s : acts.stats(0)) {
      b.append(String.format(Locale.ROOT, "<tr><td class=\"name\">%s</td><td class=\"name\">%s</td><td>%dx%d</td><td>%d</td>"
              + "<td>%d</td><td>%.1f%%</td><td>%.4g</td><td>%.4g</td></tr>%n", esc(s.layer()), esc(s.className()), s.height(),
          s.width(), s.channels(), s.blankChannels(), 100 * s.blankFraction(), s.mean(), s.max()));
    }
    b.append("</table>\n");
    for (LayerOutput o : acts.layers()) {
      if (!o.isSpatial()) {
        continue;
      }
      int scale = Math.max(1, Math.min(8, 48 / Math.max(1, o.height())));
      GridOptions grid = GridOptions.defaults().withScale(scale).withMaxChannels(options.maxChannels());
      List<ActivationGrid> pages = ActivationGrids.render(o, 0, grid);
      b.append("<h3>").append(esc(o.layer())).append(" <span class=\"note\">").append(esc(o.className())).append(", ")
          .append(o.height()).append("x").append(o.width()).append("x").append(o.channels()).append("</span></h3>\n");
      for (ActivationGrid g : pages) {
        String file = "act_" + fileName(o.layer()) + (pages.size() > 1 ? "_" + (g.page() + 1) : "") + ".png";
        Images.write(g.picture(), out.resolve(file));
        b.append("<img class=\"grid\" src=\"").append(esc(file)).append("\" alt=\"activations of ").append(esc(o.layer()))
            .append("\" width=\"").append(g.picture().getWidth()).append("\">\n");
      }
    }
    b.append("</section>\n");
    return b.toString();
  }

  private String filters() {
    List<String> chosen = filterLayers(model, options.filterLayers());
    StringBuilder b = new StringBuilder(section("filters", "Filters"));
    b.append(String.format(Locale.ROOT, "<p class=\"note\">What the first %d filters of %d conv layers respond to most: "
        + "the input found by gradient ascent (%d steps, the regularized preset), from shallow to deep.</p>%n",
        options.filtersPerLayer(), chosen.size(), options.filterSteps()));
    b.append("<div class=\"row\">\n");
    FilterOptions fo = FilterOptions.defaults().readable().withSteps(options.filterSteps()).withSeed(options.seed());
    for (String layer : chosen) {
      FilterVisualizer vis = FilterVisualizer.of(model, layer);
      List<Integer> which = IntStream.range(0, Math.min(options.filtersPerLayer(), vis.filterCount())).boxed().toList();
      List<FilterResult> results = vis.run(which, fo, p -> {
        if (p.step() % 10 == 0) {
          progress.accept(String.format(Locale.ROOT, "filters of %s: %.0f%%", layer, 100 * Math.min(1, p.fraction())));
        }
      });
      String file = "filters_" + fileName(layer) + ".png";
      var picture = FilterGrid.of(results, 2);
      Images.write(picture, out.resolve(file));
      int shown = Math.min(560, Math.max(picture.getWidth(), 360));
      b.append("<figure><img class=\"grid").append(picture.getWidth() < 360 ? " pixel" : "").append("\" src=\"")
          .append(esc(file)).append("\" alt=\"filters of ").append(esc(layer)).append("\" width=\"").append(shown)
          .append("\"><figcaption><code>").append(esc(vis.layer())).append("</code>, ").append(which.size()).append(" of ")
          .append(vis.filterCount()).append(" filters</figcaption></figure>\n");
    }
    b.append("</div>\n");
    if (!chosen.isEmpty()) {
      b.append(features(chosen.get((chosen.size() - 1) / 2)));
    }
    b.append("</section>\n");
    return b.toString();
  }

  /**
   * The first {@code filtersPerLayer} channels of {@code layer} by feature visualization, readable
   * preset beside pixel space, each grid with its share of channels reaching the reference maximum
   * and its median robustness, and a table of the three quality numbers per channel.
   */
  private String features(String layer) {
    long[] shape = model.layer(layer).outputShape();
    int count = (int) Math.min(options.filtersPerLayer(), shape[shape.length - 1]);
    List<Integer> channels = IntStream.range(0, count).boxed().toList();
    List<Objective> objectives = channels.stream().map(c -> Objective.channel(layer, c)).toList();
    List<String> titles = channels.stream().map(String::valueOf).toList();
    FeatureOptions readable = FeatureOptions.defaults().withSteps(options.featureSteps()).withSeed(options.seed())
        .withPreprocessing(preprocessing);
    FeatureVisualizer vis = FeatureVisualizer.of(model);
    List<FeatureComparison.Side> sides = new ArrayList<>();
    List<String> files = new ArrayList<>();
    progress.accept("feature visualization of " + layer + ": channel maxima");
    ChannelMaxima maxima = ChannelMaxima.of(model, layer, reference.stream().map(preprocessing::apply).toList(),
        QualityOptions.defaults());
    int width = 0;
    String[] names = {"readable (Fourier, decorrelated, transforms)", "pixel space"};
    for (int s = 0; s < names.length; s++) {
      String name = names[s];
      List<FeatureResult> results = vis.render(objectives, s == 0 ? readable : readable.pixelSpace(), p -> {
        if (p.step() % 10 == 0) {
          progress.accept(String.format(Locale.ROOT, "feature visualization of %s, %s: %.0f%%", layer, name,
              100 * Math.min(1, p.fraction())));
        }
      });
      var grid = FeatureComparison.grid(results, titles);
      String file = "features_" + fileName(layer) + (s == 0 ? "" : "_pixels") + ".png";
      Images.write(grid, out.resolve(file));
      files.add(file);
      width = grid.getWidth();
      sides.add(new FeatureComparison.Side(name, results,
          FeatureComparison.measure(model, maxima, channels, results, QualityOptions.defaults().withSeed(options.seed()))));
    }
    return "<h3>Feature visualization (Lucid-style) <span class=\"note\">" + esc(maxima.layer()) + "</span></h3>\n"
        + String.format(Locale.ROOT, "<p class=\"note\">The picture that maximizes each of the first %d channels: %d Adam "
            + "steps on a Fourier parameterization with decorrelated colours and random jitter, scale and rotation (left),"
            + " and the same optimizer on plain pixels without transforms (right). Measured against the channels' maxima "
            + "over %d reference image%s: activation ratio (1 = as strong as the most exciting reference image), "
            + "robustness (share of the activation kept under random moves) and selectivity (own ratio over the other "
            + "channels' mean ratio). Dead channels (zero output and gradient on every start) are marked and left out of "
            + "the summaries.</p>%n", count, options.featureSteps(), maxima.imageCount(), maxima.imageCount() == 1 ? "" : "s")
        + FeatureComparison.html(maxima.layer(), channels, sides, files, width);
  }

  /**
   * Up to {@code n} Conv2D layers spread from the first to the last (first, middle, last for 3).
   * Plain Conv2D only, not every {@code LayerTrait.CONVOLUTIONAL} layer: a depthwise filter sees one
   * input channel, and counting them would move the middle pick of MobileNet reports.
   */
  static List<String> filterLayers(KerasModel model, int n) {
    List<String> convs = new ArrayList<>();
    for (LayerInfo l : model.layers()) {
      if (l.className().equals("Conv2D") && l.isSpatial()) {
        convs.add(l.path());
      }
    }
    LinkedHashSet<String> out = new LinkedHashSet<>();
    for (int i = 0; i < n && !convs.isEmpty(); i++) {
      int k = n == 1 ? 0 : (int) Math.round(i * (convs.size() - 1) / (double) (n - 1));
      out.add(convs.get(k));
    }
    return List.copyOf(out);
  }

  /** A layer path as a file name: '/' becomes '__', anything unusual '_'. */
  static String fileName(String layer) {
    return layer.replace("/", "__").replaceAll("[^A-Za-z0-9_.-]", "_");
  }
}
