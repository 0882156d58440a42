package dev.convlens.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.convlens.bridge.FloatTensor;
import dev.convlens.bridge.InvalidInputException;
import dev.convlens.bridge.KerasModel;
import dev.convlens.bridge.LayerInfo;
import dev.convlens.bridge.image.Preprocessing;
import dev.convlens.bridge.io.AtomicFiles;
import dev.convlens.bridge.io.FolderOptions;
import dev.convlens.bridge.io.Npy;
import dev.convlens.visualize.activations.ActivationGrid;
import dev.convlens.visualize.activations.ActivationGrids;
import dev.convlens.visualize.activations.Activations;
import dev.convlens.visualize.activations.GridOptions;
import dev.convlens.visualize.activations.LayerActivations;
import dev.convlens.visualize.activations.LayerOutput;
import dev.convlens.visualize.activations.LayerStats;
import dev.convlens.visualize.render.Images;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code convlens activations}: the book's intermediate activations (listings 5.25-5.31), as a
 * table of per-layer statistics on stdout and, with {@code --out}, one viridis channel grid per
 * layer ({@code <layer>.png}), {@code activations.csv}, {@code activations.json} and, with
 * {@code --raw}, each layer's output as {@code <layer>.npy}.
 */
@Command(name = "activations", mixinStandardHelpOptions = true,
    description = {"Show how an image is decomposed by successive layers: per-layer statistics (blank channels, "
        + "mean, max, size) and, with --out, the book's standardized viridis channel grids, 16 per row.",
        "Nested layers are named by path (vgg16/block1_conv1); in file names '/' becomes '__'."})
final class ActivationsCommand implements Callable<Integer> {
  @Mixin
  ModelOptions model;

  @Option(names = "--image", required = true, paramLabel = "FILE",
      description = "The image; repeat for a batch (every image is drawn, statistics are per image).")
  List<Path> images;

  @Option(names = "--layers", split = ",", paramLabel = "NAME[,NAME...]",
      description = "Layers by name or path (default: every Conv2D, DepthwiseConv2D, SeparableConv2D, MaxPooling2D "
          + "and AveragePooling2D layer, nested ones included).")
  @Nullable List<String> layers;

  @Option(names = "--first", paramLabel = "N",
      description = "The first N layers after the input, as the book's model.layers[:8] (a nested model counts as one).")
  @Nullable Integer first;

  @Option(names = "--out", paramLabel = "DIR",
      description = "Write the grids, activations.csv and activations.json into this new folder, as a whole (see --overwrite).")
  @Nullable Path out;

  @Option(names = "--overwrite", description = OutputFolders.OVERWRITE_HELP)
  boolean overwrite;

  @Option(names = "--raw", description = "Also write each layer's float32 output as <layer>.npy (needs --out).")
  boolean raw;

  @Option(names = "--channel", paramLabel = "LAYER:K",
      description = "Also draw channel K of LAYER alone, raw values over viridis as the book's matshow "
          + "(<layer>_channel<K>.png; needs --out). Repeatable.")
  List<String> channels = new ArrayList<>();

  @Option(names = "--per-row", defaultValue = "16", paramLabel = "N", description = "Channels per row (default ${DEFAULT-VALUE}).")
  int perRow;

  @Option(names = "--scale", defaultValue = "1", paramLabel = "N",
      description = "Enlarge every tile N times, for tiny maps (default ${DEFAULT-VALUE}).")
  int scale;

  @Option(names = "--margin", defaultValue = "1", paramLabel = "PX", description = "Pixels between tiles (default ${DEFAULT-VALUE}).")
  int margin;

  @Option(names = "--max-channels", defaultValue = "0", paramLabel = "N",
      description = "Draw at most the first N channels of a layer (default: all).")
  int maxChannels;

  @Option(names = "--page-size", defaultValue = "0", paramLabel = "N",
      description = "Split a layer's grid into pages of N channels, <layer>_page<k>.png (default: one page).")
  int pageSize;

  @Option(names = "--preprocess", paramLabel = "MODE",
      description = "caffe, tf, torch, rescale (x/255) or none; default: the built-in's own mode, else none.")
  @Nullable String preprocess;

  @Spec
  CommandSpec spec;

  private record ChannelRequest(String layer, int channel) {}

  @Override
  public Integer call() throws IOException {
    GridOptions grid = gridOptions();
    List<ChannelRequest> single = channelRequests();
    try (KerasModel m = model.load(false)) {
      List<String> chosen = selection(m, single);
      Preprocessing mode = preprocess != null ? Preprocessing.parse(preprocess) : model.preprocessing;
      List<FloatTensor> inputs = new ArrayList<>();
      for (Path image : images) {
        inputs.add(PredictCommand.input(m, image, mode));
      }
      FloatTensor batch = inputs.size() == 1 ? inputs.get(0) : FloatTensor.stack(inputs);
      LayerActivations acts = Activations.fetch(m, batch, chosen); // one session run for every layer
      printTable(acts);
      if (out != null) {
        writeFiles(acts, grid, single);
      }
    }
    return 0;
  }

  private GridOptions gridOptions() {
    if (layers != null && first != null) {
      throw new ParameterException(spec.commandLine(), "--layers and --first exclude each other");
    }
    if (out == null && (raw || !channels.isEmpty() || overwrite)) {
      throw new ParameterException(spec.commandLine(), (raw ? "--raw" : overwrite ? "--overwrite" : "--channel")
          + " needs --out DIR");
    }
    if (out != null) {
      OutputFolders.check(spec, out, outOptions()); // before the model is loaded and run
    }
    try {
      return new GridOptions(perRow, scale, margin, maxChannels, pageSize);
    } catch (InvalidInputException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage());
    }
  }

  private List<ChannelRequest> channelRequests() {
    List<ChannelRequest> out = new ArrayList<>();
    for (String c : channels) {
      int at = c.lastIndexOf(':');
      try {
        out.add(new ChannelRequest(c.substring(0, at), Integer.parseInt(c.substring(at + 1))));
      } catch (RuntimeException e) {
        throw new ParameterException(spec.commandLine(), "--channel expects LAYER:K, e.g. conv2d_8:4, got '" + c + "'");
      }
    }
    return out;
  }

  /** The layers to fetch, channel requests checked against the model before anything runs. */
  private List<String> selection(KerasModel m, List<ChannelRequest> single) {
    List<String> chosen = new ArrayList<>(layers != null ? layers
        : first != null ? Activations.firstLayers(m, first) : Activations.convAndPoolLayers(m));
    Set<String> paths = new HashSet<>();
    for (String l : chosen) {
      paths.add(m.layer(l).path());
    }
    for (ChannelRequest r : single) {
      LayerInfo info = m.layer(r.layer());
      long count = info.outputShape()[info.outputShape().length - 1];
      if (!info.isSpatial()) {
        throw new InvalidInputException("--channel " + r.layer() + ":" + r.channel() + ": layer output "
            + java.util.Arrays.toString(info.outputShape()) + " is not an image map");
      }
      if (r.channel() < 0 || r.channel() >= count) {
        throw new InvalidInputException("--channel " + r.layer() + ":" + r.channel() + ": layer '" + info.path()
            + "' has channels 0.." + (count - 1));
      }
      if (paths.add(info.path())) {
        chosen.add(info.path());
      }
    }
    return chosen;
  }

  private void printTable(LayerActivations acts) {
    PrintWriter w = spec.commandLine().getOut();
    boolean batch = acts.batchSize() > 1;
    w.printf(Locale.ROOT, "%s%-28s %-16s %-9s %8s %6s %7s %10s %10s%n", batch ? "image " : "", "layer", "class",
        "size", "channels", "blank", "blank%", "mean", "max");
    for (int i = 0; i < acts.batchSize(); i++) {
      for (LayerStats s : acts.stats(i)) {
        w.printf(Locale.ROOT, "%s%-28s %-16s %-9s %8d %6d %6.1f%% %10.4g %10.4g%n", batch ? String.format("%-5d ", i) : "",
            s.layer(), s.className(), s.height() + "x" + s.width(), s.channels(), s.blankChannels(),
            100 * s.blankFraction(), s.mean(), s.max());
      }
    }
    w.flush();
  }

  /** activations.json is written by every run: it marks a folder as an earlier output. */
  private FolderOptions outOptions() {
    return OutputFolders.options("activations.json", overwrite);
  }

  /** Every file goes into one folder moved into place at the end: a failure leaves no partial set. */
  private void writeFiles(LayerActivations acts, GridOptions grid, List<ChannelRequest> single) {
    PrintWriter err = spec.commandLine().getErr();
    AtomicFiles.writeFolder(Objects.requireNonNull(out), outOptions(), dir -> writeFiles(dir, acts, grid, single, err));
    err.println("wrote " + out.toAbsolutePath());
    err.flush();
  }

  private void writeFiles(Path dir, LayerActivations acts, GridOptions grid, List<ChannelRequest> single, PrintWriter err)
      throws IOException {
    Map<String, String> fileNames = fileNames(acts);
    Map<String, List<String>> written = new LinkedHashMap<>();
    List<LayerOutput> drawn = acts.layers().stream().filter(LayerOutput::isSpatial).toList();
    for (LayerOutput o : acts.layers()) {
      if (!o.isSpatial()) {
        err.println("not drawn: " + o.layer() + " (" + o.className() + ") is not an [N, H, W, C] output");
      }
    }
    int total = drawn.size() * acts.batchSize();
    int done = 0;
    try {
      for (int i = 0; i < acts.batchSize(); i++) {
        String suffix = acts.batchSize() > 1 ? "_img" + i : "";
        for (LayerOutput o : drawn) {
          List<ActivationGrid> pages = ActivationGrids.render(o, i, grid);
          for (ActivationGrid g : pages) {
            String name = fileNames.get(o.layer()) + suffix + (pages.size() > 1 ? "_page" + (g.page() + 1) : "") + ".png";
            Images.write(g.picture(), dir.resolve(name));
            written.computeIfAbsent(key(i, o.layer()), k -> new ArrayList<>()).add(name);
          }
          err.printf("\rdrawing %d/%d %-40s", ++done, total, o.layer());
          err.flush();
        }
        for (ChannelRequest r : single) {
          LayerOutput o = acts.get(r.layer());
          String name = fileNames.get(o.layer()) + suffix + "_channel" + r.channel() + ".png";
          Images.write(ActivationGrids.renderChannel(o, i, r.channel(), grid.scale()), dir.resolve(name));
          written.computeIfAbsent(key(i, o.layer()), k -> new ArrayList<>()).add(name);
        }
      }
    } finally {
      if (done > 0) {
        err.println(); // ends the progress line, also when drawing fails, so an error gets a line of its own
      }
    }
    if (raw) {
      for (LayerOutput o : acts.layers()) {
        Npy.write(dir.resolve(fileNames.get(o.layer()) + ".npy"), o.value());
      }
    }
    writeText(dir.resolve("activations.csv"), csv(acts));
    writeText(dir.resolve("activations.json"), json(acts, written, fileNames));
  }

  private static String key(int image, String layer) {
    return image + "\u0000" + layer;
  }

  /** File-system-safe, distinct base names: '/' of nested paths becomes '__', other odd characters '_'. */
  static Map<String, String> fileNames(LayerActivations acts) {
    Map<String, String> names = new HashMap<>();
    Set<String> used = new HashSet<>(Set.of("activations"));
    for (LayerOutput o : acts.layers()) {
      String base = o.layer().replace("/", "__").replaceAll("[^A-Za-z0-9._-]", "_");
      if (base.startsWith(".")) {
        base = "_" + base.substring(1);
      }
      String name = base;
      for (int n = 2; !used.add(name.toLowerCase(Locale.ROOT)); n++) {
        name = base + "_" + n;
      }
      names.put(o.layer(), name);
    }
    return names;
  }

  static String csv(LayerActivations acts) {
    StringBuilder b = new StringBuilder(
        "image,layer,class_name,height,width,channels,blank_channels,blank_fraction,mean,std,min,max\n");
    for (int i = 0; i < acts.batchSize(); i++) {
      for (LayerStats s : acts.stats(i)) {
        b.append(i).append(',').append(s.layer()).append(',').append(s.className()).append(',')
            .append(s.height()).append(',').append(s.width()).append(',').append(s.channels()).append(',')
            .append(s.blankChannels()).append(',').append(s.blankFraction()).append(',').append(s.mean()).append(',')
            .append(s.std()).append(',').append(s.min()).append(',').append(s.max()).append('\n');
      }
    }
    return b.toString();
  }

  private String json(LayerActivations acts, Map<String, List<String>> written, Map<String, String> fileNames)
      throws IOException {
    ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    ObjectNode root = mapper.createObjectNode();
    root.put("model", model.model);
    ArrayNode imgs = root.putArray("images");
    images.forEach(p -> imgs.add(p.toString()));
    ArrayNode rows = root.putArray("layers");
    for (int i = 0; i < acts.batchSize(); i++) {
      for (LayerStats s : acts.stats(i)) {
        ObjectNode r = rows.addObject();
        r.put("image", i).put("layer", s.layer()).put("class_name", s.className())
            .put("height", s.height()).put("width", s.width()).put("channels", s.channels())
            .put("blank_channels", s.blankChannels()).put("blank_fraction", s.blankFraction())
            .put("mean", s.mean()).put("std", s.std()).put("min", s.min()).put("max", s.max());
        ArrayNode files = r.putArray("files");
        written.getOrDefault(key(i, s.layer()), List.of()).forEach(files::add);
        if (raw) {
          r.put("raw", fileNames.get(s.layer()) + ".npy");
        }
      }
    }
    return mapper.writeValueAsString(root) + "\n";
  }

  /** Plainly: the whole folder is moved into place at the end. */
  private static void writeText(Path file, String text) throws IOException {
    Files.writeString(file, text, StandardCharsets.UTF_8);
  }
}
