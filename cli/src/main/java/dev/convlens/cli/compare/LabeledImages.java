package dev.convlens.cli.compare;

import dev.convlens.bridge.ConvlensException;
import dev.convlens.bridge.FloatTensor;
import dev.convlens.bridge.InvalidInputException;
import dev.convlens.bridge.image.ClassNames;
import dev.convlens.bridge.image.KerasImages;
import dev.convlens.bridge.image.Preprocessing;
import dev.convlens.visualize.metrics.Box;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;

/**
 * A folder of class sub-folders (as {@code image_dataset_from_directory} reads it) and, optionally,
 * a CSV of object boxes: {@code file,left,top,right,bottom}, the file relative to the folder, the
 * box half-open in the file's own pixels (scaled here to the model's input size).
 */
public final class LabeledImages {
  private static final List<String> EXTENSIONS = List.of(".png", ".jpg", ".jpeg", ".bmp", ".gif");

  private LabeledImages() {}

  /**
   * One image: its file, class, box at the model's input size (null without a boxes file or a row
   * for it), the model input {@code [H, W, C]} and the resized picture {@code [H, W, 3]} in 0..255
   * to draw overlays on.
   */
  public record Sample(Path file, int label, @Nullable Box box, FloatTensor input, FloatTensor picture) {}

  /**
   * Up to {@code limit} images of {@code dir}, in file order within each class and the classes
   * interleaved (so a limit keeps every class), resized to {@code height x width} as Keras'
   * {@code load_img} does and preprocessed with {@code mode}.
   *
   * @throws InvalidInputException naming a class folder the model does not know, or a bad boxes row
   */
  public static List<Sample> read(Path dir, @Nullable Path boxes, ClassNames classes, int height, int width,
      Preprocessing mode, int limit) {
    Map<String, Box> boxOf = boxes == null ? Map.of() : boxes(boxes);
    List<List<Path>> perClass = new ArrayList<>();
    List<Integer> labels = new ArrayList<>();
    try (Stream<Path> folders = Files.list(dir)) {
      for (Path folder : folders.filter(Files::isDirectory).sorted().toList()) {
        String name = folder.getFileName().toString();
        int label = classes.indexOf(name);
        if (label < 0) {
          throw new InvalidInputException("class folder '" + name + "' of " + dir + " is not one of the model's classes "
              + classes.labels());
        }
        try (Stream<Path> files = Files.list(folder)) {
          perClass.add(files.filter(LabeledImages::isImage).sorted().toList());
        }
        labels.add(label);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + dir, e);
    }
    if (perClass.isEmpty()) {
      throw new InvalidInputException(dir + " has no class sub-folders");
    }
    List<Sample> out = new ArrayList<>();
    for (int i = 0; out.size() < limit; i++) {
      boolean any = false;
      for (int c = 0; c < perClass.size() && out.size() < limit; c++) {
        if (i < perClass.get(c).size()) {
          any = true;
          Path file = perClass.get(c).get(i);
          out.add(sample(dir, file, labels.get(c), boxOf, height, width, mode));
        }
      }
      if (!any) {
        break;
      }
    }
    return List.copyOf(out);
  }

  private static Sample sample(Path dir, Path file, int label, Map<String, Box> boxOf, int height, int width,
      Preprocessing mode) {
    FloatTensor original = KerasImages.loadImg(file);
    FloatTensor picture = KerasImages.loadImg(file, height, width);
    Box box = boxOf.get(dir.relativize(file).toString().replace('\\', '/'));
    Box scaled = box == null ? null : scale(box, original.dim(0), original.dim(1), height, width);
    return new Sample(file, label, scaled, mode.apply(picture), picture);
  }

  private static Box scale(Box b, long fromH, long fromW, int toH, int toW) {
    double sy = (double) toH / fromH;
    double sx = (double) toW / fromW;
    return new Box((int) Math.floor(b.left() * sx), (int) Math.floor(b.top() * sy),
        Math.max((int) Math.floor(b.left() * sx) + 1, (int) Math.ceil(b.right() * sx)),
        Math.max((int) Math.floor(b.top() * sy) + 1, (int) Math.ceil(b.bottom() * sy)));
  }

  private static boolean isImage(Path p) {
    String n = p.getFileName().toString().toLowerCase(Locale.ROOT);
    return Files.isRegularFile(p) && EXTENSIONS.stream().anyMatch(n::endsWith);
  }

  /** The boxes file's rows by file; its first line is the header {@code file,left,top,right,bottom}. */
  static Map<String, Box> boxes(Path csv) {
    List<String> lines;
    try {
      lines = Files.readAllLines(csv);
    } catch (IOException e) {
      throw new ConvlensException("cannot read the boxes file " + csv + ": " + e.getMessage(), e);
    }
    if (lines.isEmpty() || !lines.get(0).replace(" ", "").equalsIgnoreCase("file,left,top,right,bottom")) {
      throw new InvalidInputException(csv + ": the first line must be the header file,left,top,right,bottom");
    }
    Map<String, Box> out = new HashMap<>();
    for (int i = 1; i < lines.size(); i++) {
      String line = lines.get(i).trim();
      if (line.isEmpty()) {
        continue;
      }
      String[] f = line.split(",");
      try {
        if (f.length != 5) {
          throw new NumberFormatException("5 fields expected, got " + f.length);
        }
        out.put(f[0].trim(), new Box(Integer.parseInt(f[1].trim()), Integer.parseInt(f[2].trim()),
            Integer.parseInt(f[3].trim()), Integer.parseInt(f[4].trim())));
      } catch (NumberFormatException | InvalidInputException e) {
        throw new InvalidInputException(csv + " line " + (i + 1) + " '" + line + "': " + e.getMessage());
      }
    }
    return out;
  }
}
