package dev.convlens.cli;

import dev.convlens.bridge.Cancellation;
import dev.convlens.bridge.ConvlensException;
import dev.convlens.bridge.FloatTensor;
import dev.convlens.bridge.InvalidInputException;
import dev.convlens.bridge.KerasModel;
import dev.convlens.bridge.LayerInfo;
import dev.convlens.bridge.image.ColorMode;
import dev.convlens.bridge.image.KerasImages;
import dev.convlens.bridge.image.Preprocessing;
import dev.convlens.bridge.io.AtomicFiles;
import dev.convlens.cli.report.FeatureComparison;
import dev.convlens.visualize.filters.ChannelMaxima;
import dev.convlens.visualize.filters.FeatureOptions;
import dev.convlens.visualize.filters.FeatureQuality;
import dev.convlens.visualize.filters.FeatureResult;
import dev.convlens.visualize.filters.FeatureVisualizer;
import dev.convlens.visualize.filters.Objective;
import dev.convlens.visualize.filters.Parameterization;
import dev.convlens.visualize.filters.QualityOptions;
import dev.convlens.visualize.filters.Transforms;
import dev.convlens.visualize.render.Animation;
import dev.convlens.visualize.render.Grid;
import dev.convlens.visualize.render.Images;
import java.awt.Color;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

@Command(name = "features", mixinStandardHelpOptions = true,
    description = {"Lucid-style feature visualization: the picture that maximizes channels of a layer, class logits, or "
        + "a whole layer (DeepDream), optimized in Fourier space with decorrelated colours and random transforms. "
        + "Writes grid.png, one PNG per objective and values.tsv into --out; with --reference, quality.tsv (activation "
        + "ratio to the dataset maximum, robustness, selectivity), and with --compare also the pixel-space render and "
        + "compare.html. E.g.",
        "  convlens features --model convnet.keras --layer conv2d_9 --channels 0-15 --out conv2d_9 --reference "
            + "cats_vs_dogs/validation --compare",
        "  convlens features --model mobilenet --alpha 0.25 --input-size 128 --class 386,9,948 --out classes",
        "  convlens features --model vgg16 --layer block4_conv3 --deepdream --start photo.jpg --steps 64 --out dream",
        "Built-in architectures are used without their top (at --size, default 128) except for --class. Progress goes "
            + "to stderr."})
final class FeaturesCommand implements Callable<Integer> {
  /** Channels drawn when --channels is not given. */
  static final int DEFAULT_CHANNELS = 16;
  /** Picture size of built-ins (without top) and open-size models when --size is not given. */
  static final int DEFAULT_SIZE = 128;
  private static final List<String> IMAGE_EXTENSIONS = List.of(".jpg", ".jpeg", ".png", ".bmp", ".gif");

  @Mixin
  ModelOptions model;

  @Option(names = "--layer", paramLabel = "NAME", description = "The layer of the channel objectives or of --deepdream.")
  @Nullable String layer;

  @Option(names = "--channels", paramLabel = "LIST",
      description = "Channels of --layer: ranges and single indices, e.g. 0-15,20 (default: the first 16).")
  @Nullable String channels;

  @Option(names = "--class", paramLabel = "N[,N...]",
      description = "Class-logit objectives instead: the model's output scores before its softmax, e.g. 386,9.")
  @Nullable String classes;

  @Option(names = "--deepdream", description = "Maximize the whole --layer (mean of squares), usually from --start.")
  boolean deepdream;

  @Option(names = "--start", paramLabel = "IMAGE", description = "Start picture (any image file, loaded at the model's "
      + "input size) instead of seeded noise.")
  @Nullable Path start;

  @Option(names = "--param", defaultValue = "fourier", paramLabel = "fourier|pixels|laplacian",
      description = "Parameterization of the picture (default ${DEFAULT-VALUE}).")
  String param;

  @Option(names = "--no-decorrelate", description = "Plain RGB steps instead of ImageNet-decorrelated colours.")
  boolean noDecorrelate;

  @Option(names = "--transforms", defaultValue = "standard", paramLabel = "standard|none",
      description = "Random jitter, scale and rotation before every step (default ${DEFAULT-VALUE}).")
  String transforms;

  @Option(names = "--steps", defaultValue = "256", paramLabel = "N", description = "Adam steps (default ${DEFAULT-VALUE}).")
  int steps;

  @Option(names = "--lr", defaultValue = "0.05", paramLabel = "R", description = "Adam's learning rate (default ${DEFAULT-VALUE}).")
  double lr;

  @Option(names = "--size", paramLabel = "N",
      description = "Picture size for built-ins and open-size models (default 128); fixed-size models use their own.")
  @Nullable Integer size;

  @Option(names = "--seed", defaultValue = "0", paramLabel = "S",
      description = "Seed of the start noise and the transforms (default ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = {"--preprocessing", "--preprocess"}, paramLabel = "MODE",
      description = "none, tf, caffe, torch or rescale: how 0..255 pictures become model input (default: the "
          + "built-in's own mode, else none, for models that rescale inside).")
  @Nullable String preprocessing;

  @Option(names = "--tv", defaultValue = "0", paramLabel = "W",
      description = "Subtract W times the picture's total variation from each objective (default ${DEFAULT-VALUE}).")
  double tv;

  @Option(names = "--snapshot-every", defaultValue = "0", paramLabel = "N",
      description = "Keep the picture every N steps for --gif / --strip (default 0: steps/16 when they are asked for).")
  int snapshotEvery;

  @Option(names = "--gif", paramLabel = "FILE", description = "The optimization as an animated GIF (all objectives per frame).")
  @Nullable Path gif;

  @Option(names = "--strip", paramLabel = "FILE", description = "The optimization as a PNG strip: one row of snapshots per objective.")
  @Nullable Path strip;

  @Option(names = "--out", required = true, paramLabel = "DIR", description = "Folder for the outputs (created).")
  Path out;

  @Option(names = "--reference", paramLabel = "DIR",
      description = "Images (searched recursively) whose channel maxima measure the pictures: writes quality.tsv. "
          + "A channel dead on the noise starts is tried from two of them.")
  @Nullable Path reference;

  @Option(names = "--reference-limit", defaultValue = "200", paramLabel = "N",
      description = "At most this many reference images, in file-name order (default ${DEFAULT-VALUE}).")
  int referenceLimit;

  @Option(names = "--compare", description = "With --reference: also render in pixel space without transforms and write "
      + "compare.html with both grids and their numbers.")
  boolean compare;

  @Mixin
  TimeoutOption timeout;

  @Spec
  picocli.CommandLine.Model.CommandSpec spec;

  /** The --timeout deadline, started when the command runs. */
  private Cancellation cancellation = Cancellation.none();

  /** What is rendered: objectives, their titles and file names, and the channel each measures (-1: none). */
  private record Plan(List<Objective> objectives, List<String> titles, List<String> files, List<Integer> channels) {}

  @Override
  public Integer call() throws IOException {
    checkOptions();
    if (model.isBuiltIn() && classes == null) {
      model.noTop = true; // the classifier fixes the input at 224x224; channels and DeepDream do not need it
      if (model.inputSize == null) {
        model.inputSize = size != null ? size : DEFAULT_SIZE;
      }
    }
    PrintWriter err = spec.commandLine().getErr();
    try (KerasModel m = model.load(false)) {
      cancellation = timeout.start();
      Preprocessing mode = preprocessing != null ? Preprocessing.parse(preprocessing) : model.preprocessing;
      int[] hw = pictureSize(m, err);
      Plan plan = plan(m);
      FeatureOptions options = options(m, mode, hw);
      ChannelMaxima maxima = null;
      if (reference != null) {
        List<FloatTensor> pictures = referencePictures(m, hw);
        maxima = ChannelMaxima.of(m, Objects.requireNonNull(layer),
            pictures.stream().map(mode::apply).toList(), QualityOptions.defaults().withCancellation(cancellation));
        // a channel dead on the noise starts gets real pictures next (the first and the middle one), in both renders
        options = options.withRetryImages(pictures.size() == 1 ? pictures
            : List.of(pictures.get(0), pictures.get(pictures.size() / 2)));
      }
      FeatureVisualizer vis = FeatureVisualizer.of(m);
      RenderProgress bar = new RenderProgress(err, compare ? 2 : 1);
      List<FeatureResult> results;
      List<FeatureResult> pixels = null;
      try {
        results = vis.render(plan.objectives(), options, bar.render(0, "readable"));
        if (compare) {
          pixels = vis.render(plan.objectives(), options.pixelSpace(), bar.render(1, "pixel space"));
        }
      } finally {
        bar.finish();
      }
      Files.createDirectories(out);
      Images.write(FeatureComparison.grid(results, plan.titles()), out.resolve("grid.png"));
      for (int i = 0; i < results.size(); i++) {
        Images.write(results.get(i).image(), out.resolve(plan.files().get(i)));
      }
      writeTsv(out.resolve("values.tsv"), values(results));
      PrintWriter o = spec.commandLine().getOut();
      long dead = results.stream().filter(FeatureResult::dead).count();
      o.printf(Locale.ROOT, "wrote %s: %d objectives, %dx%d, %d steps; mean value %.6g -> %.6g; %d dead%n", out,
          results.size(), hw[0], hw[1], steps, results.stream().mapToDouble(r -> r.values().get(0)).average().orElse(0),
          results.stream().mapToDouble(FeatureResult::finalValue).average().orElse(0), dead);
      if (maxima != null) {
        QualityOptions q = QualityOptions.defaults().withSeed(seed).withCancellation(cancellation);
        FeatureComparison.Side readable = side("readable (Fourier, transforms)", m, maxima, plan, results, q);
        writeTsv(out.resolve("quality.tsv"), quality(readable));
        o.println("readable: " + FeatureComparison.summary(readable));
        if (pixels != null) {
          FeatureComparison.Side plain = side("pixel space", m, maxima, plan, pixels, q);
          BufferedImage pixelGrid = FeatureComparison.grid(pixels, plan.titles());
          Images.write(pixelGrid, out.resolve("grid-pixels.png"));
          writeTsv(out.resolve("quality-pixels.tsv"), quality(plain));
          String note = String.format(Locale.ROOT, "Model %s, layer %s, %d steps at %dx%d, seed %d; quality against the "
              + "channel maxima over %d reference images in %s.", model.model, maxima.layer(), steps, hw[0], hw[1], seed,
              maxima.imageCount(), reference);
          String page = FeatureComparison.page("convlens features: " + maxima.layer(), note, maxima.layer(),
              plan.channels(), List.of(readable, plain), List.of("grid.png", "grid-pixels.png"), pixelGrid.getWidth());
          AtomicFiles.write(out.resolve("compare.html"), tmp -> Files.writeString(tmp, page, StandardCharsets.UTF_8));
          o.println("pixel space: " + FeatureComparison.summary(plain));
        }
      }
      writeAnimations(results, plan.titles());
      o.flush();
    }
    return 0;
  }

  private void checkOptions() {
    List<String> problems = new ArrayList<>();
    if (classes != null && (layer != null || channels != null || deepdream)) {
      problems.add("--class takes the model's output: leave out --layer, --channels and --deepdream");
    }
    if (classes == null && layer == null) {
      problems.add("give --layer NAME (channels, or with --deepdream) or --class N[,N...]");
    }
    if (deepdream && channels != null) {
      problems.add("--deepdream maximizes the whole layer: leave out --channels");
    }
    if (!List.of("fourier", "pixels", "laplacian").contains(param)) {
      problems.add("--param must be fourier, pixels or laplacian, got '" + param + "'");
    }
    if (!transforms.equals("standard") && !transforms.equals("none")) {
      problems.add("--transforms must be standard or none, got '" + transforms + "'");
    }
    if (steps < 1) {
      problems.add("--steps must be at least 1, got " + steps);
    }
    if (!(lr > 0) || !Double.isFinite(lr)) {
      problems.add("--lr must be a positive number, got " + lr);
    }
    if (!(tv >= 0) || !Double.isFinite(tv)) {
      problems.add("--tv must be 0 or a positive weight, got " + tv);
    }
    if (snapshotEvery < 0) {
      problems.add("--snapshot-every must be 0 or more steps, got " + snapshotEvery);
    }
    if (size != null && size < 1) {
      problems.add("--size must be positive, got " + size);
    }
    if (referenceLimit < 1) {
      problems.add("--reference-limit must be at least 1, got " + referenceLimit);
    }
    if (reference != null && (classes != null || deepdream)) {
      problems.add("--reference measures channel objectives: use it with --layer and --channels");
    }
    if (compare && reference == null) {
      problems.add("--compare needs --reference DIR (the images the two renders are measured against)");
    }
    if (!problems.isEmpty()) {
      throw new ParameterException(spec.commandLine(), String.join("; ", problems));
    }
  }

  /** The picture size: a fixed input's own, else --size, else 128. */
  private int[] pictureSize(KerasModel m, PrintWriter err) {
    long[] in = m.inputShape();
    if (in.length != 4) {
      throw new InvalidInputException("model '" + m.name() + "' has input shape " + java.util.Arrays.toString(in)
          + "; feature visualization needs an image input (batch, height, width, channels)");
    }
    if (in[1] > 0 && in[2] > 0) {
      if (size != null && (size != in[1] || size != in[2]) && !model.isBuiltIn()) {
        err.println("note: model input is fixed at " + in[1] + "x" + in[2] + "; --size " + size + " ignored");
      }
      return new int[] {(int) in[1], (int) in[2]};
    }
    int s = size != null ? size : DEFAULT_SIZE;
    return new int[] {in[1] > 0 ? (int) in[1] : s, in[2] > 0 ? (int) in[2] : s};
  }

  private Plan plan(KerasModel m) {
    List<Objective> objectives = new ArrayList<>();
    List<String> titles = new ArrayList<>();
    List<String> files = new ArrayList<>();
    List<Integer> measured = new ArrayList<>();
    String layer = java.util.Objects.requireNonNullElse(this.layer, ""); // checkOptions: set unless --class
    if (classes != null) {
      for (int c : IndexList.parse("--class", classes)) {
        objectives.add(penalized(Objective.classLogit(c)));
        titles.add("class " + c);
        files.add(String.format(Locale.ROOT, "class_%04d.png", c));
        measured.add(-1);
      }
    } else if (deepdream) {
      objectives.add(penalized(Objective.layer(layer)));
      titles.add("dream");
      files.add("deepdream.png");
      measured.add(-1);
    } else {
      LayerInfo info = m.layer(layer);
      long[] shape = info.outputShape();
      int count = (int) shape[shape.length - 1];
      List<Integer> chosen = channels != null ? IndexList.parse("--channels", channels)
          : java.util.stream.IntStream.range(0, Math.min(DEFAULT_CHANNELS, count)).boxed().toList();
      for (int c : chosen) {
        if (c >= count) {
          throw new InvalidInputException("--channels: channel " + c + " is out of range, layer '" + info.path() + "' has "
              + count + " channels (0-" + (count - 1) + ")");
        }
        objectives.add(penalized(Objective.channel(layer, c)));
        titles.add(Integer.toString(c));
        files.add(String.format(Locale.ROOT, "channel_%04d.png", c));
        measured.add(c);
      }
    }
    return new Plan(objectives, titles, files, measured);
  }

  private Objective penalized(Objective o) {
    return tv > 0 ? o.minus(Objective.totalVariation().times(tv)) : o;
  }

  private FeatureOptions options(KerasModel m, Preprocessing mode, int[] hw) {
    Parameterization p = switch (param) {
      case "pixels" -> Parameterization.pixels();
      case "laplacian" -> Parameterization.laplacianPyramid();
      default -> Parameterization.fourier();
    };
    if (noDecorrelate) {
      p = p.withDecorrelated(false);
    }
    int every = snapshotEvery > 0 || (gif == null && strip == null) ? snapshotEvery : Math.max(1, steps / 16);
    long[] in = m.inputShape();
    boolean open = in[1] <= 0 || in[2] <= 0;
    FeatureOptions o = FeatureOptions.defaults().withParameterization(p)
        .withTransforms(transforms.equals("none") ? Transforms.none() : Transforms.standard())
        .withSteps(steps).withLearningRate(lr).withSeed(seed).withPreprocessing(mode).withSnapshotEvery(every)
        .withSize(open ? Math.max(hw[0], hw[1]) : 0).withCancellation(cancellation);
    if (start != null) {
      o = o.withStartImage(KerasImages.loadImg(start, hw[0], hw[1], colorMode(m)));
    }
    return o;
  }

  /** The reference images at the picture size, 0..255 (before preprocessing). */
  private List<FloatTensor> referencePictures(KerasModel m, int[] hw) throws IOException {
    Path dir = java.util.Objects.requireNonNull(reference);
    if (!Files.isDirectory(dir)) {
      throw new InvalidInputException("--reference " + dir + " is not a folder; expected a folder of images");
    }
    List<Path> files;
    try (Stream<Path> walk = Files.walk(dir)) {
      files = walk.filter(Files::isRegularFile).filter(FeaturesCommand::isImage).sorted().limit(referenceLimit).toList();
    }
    if (files.isEmpty()) {
      throw new InvalidInputException("--reference " + dir + " holds no images (" + String.join(", ", IMAGE_EXTENSIONS) + ")");
    }
    ColorMode color = colorMode(m);
    List<FloatTensor> images = new ArrayList<>(files.size());
    for (Path f : files) {
      images.add(KerasImages.loadImg(f, hw[0], hw[1], color));
    }
    return images;
  }

  private static boolean isImage(Path p) {
    String name = p.getFileName().toString().toLowerCase(Locale.ROOT);
    return IMAGE_EXTENSIONS.stream().anyMatch(name::endsWith);
  }

  private static ColorMode colorMode(KerasModel m) {
    long c = m.inputShape()[3];
    return switch ((int) c) {
      case 1 -> ColorMode.GRAYSCALE;
      case 3 -> ColorMode.RGB;
      case 4 -> ColorMode.RGBA;
      default -> throw new ConvlensException("model input has " + c + " channels; images have 1, 3 or 4");
    };
  }

  private static FeatureComparison.Side side(String name, KerasModel m, ChannelMaxima maxima, Plan plan,
      List<FeatureResult> results, QualityOptions q) {
    List<FeatureQuality> quality = FeatureComparison.measure(m, maxima, plan.channels(), results, q);
    return new FeatureComparison.Side(name, results, quality);
  }

  private static List<String> values(List<FeatureResult> results) {
    List<String> rows = new ArrayList<>(List.of("objective\tfirst_value\tfinal_value\tdead\tstarts"));
    for (FeatureResult r : results) {
      rows.add(String.format(Locale.ROOT, "%s\t%.6g\t%.6g\t%b\t%d", r.objective(),
          r.values().isEmpty() ? Double.NaN : r.values().get(0), r.finalValue(), r.dead(), r.starts()));
    }
    return rows;
  }

  private static List<String> quality(FeatureComparison.Side side) {
    List<String> rows = new ArrayList<>(List.of("objective\tactivation_ratio\trobustness\tselectivity\tdead"));
    for (int i = 0; i < side.results().size(); i++) {
      FeatureResult r = side.results().get(i);
      FeatureQuality q = side.quality().get(i);
      rows.add(r.objective() + "\t" + FeatureComparison.fmt(q.activationRatio()) + "\t"
          + FeatureComparison.fmt(q.robustness()) + "\t" + FeatureComparison.fmt(q.selectivity()) + "\t" + r.dead());
    }
    return rows;
  }

  private static void writeTsv(Path file, List<String> rows) {
    try {
      AtomicFiles.write(file, tmp -> Files.write(tmp, rows, StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new ConvlensException("cannot write " + file + ": " + e.getMessage(), e);
    }
  }

  /** --gif: frame k holds snapshot k of every objective; --strip: one row of snapshots per objective. */
  private void writeAnimations(List<FeatureResult> results, List<String> titles) {
    if (gif == null && strip == null) {
      return;
    }
    int frames = results.get(0).snapshots().size();
    if (gif != null) {
      List<BufferedImage> grids = new ArrayList<>(frames);
      for (int k = 0; k < frames; k++) {
        List<BufferedImage> tiles = new ArrayList<>(results.size());
        for (int i = 0; i < results.size(); i++) {
          tiles.add(Grid.titled(Images.rgb(results.get(i).snapshots().get(k)), titles.get(i)));
        }
        grids.add(Grid.of(tiles, (int) Math.ceil(Math.sqrt(tiles.size())), 4, Color.BLACK));
      }
      Animation.writeGif(grids, 100, true, gif);
    }
    if (strip != null) {
      List<BufferedImage> rows = new ArrayList<>(results.size());
      for (FeatureResult r : results) {
        rows.add(Animation.strip(r.snapshotImages(), 2));
      }
      Images.write(Grid.of(rows, 1, 4, Color.BLACK), strip);
    }
    spec.commandLine().getOut().printf(Locale.ROOT, "animation: %d snapshots%s%s%n", frames,
        gif != null ? " -> " + gif : "", strip != null ? " -> " + strip : "");
  }
}
