package dev.convlens.bridge.image;

import dev.convlens.bridge.FloatTensor;
import dev.convlens.bridge.InvalidInputException;
import dev.convlens.bridge.io.InputPaths;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/**
 * The class names of a classifier, index by index, and Keras-style {@code decode_predictions} over
 * them. {@link ImageNetLabels} builds the ImageNet one; {@link #of(List)} any other.
 */
public final class ClassNames {
  private final List<String> ids;
  private final List<String> labels;

  private ClassNames(List<String> ids, List<String> labels) {
    this.ids = ids;
    this.labels = labels;
  }

  /** Plain class names, e.g. {@code of(List.of("cat", "dog"))}; predictions carry an empty wnid. */
  public static ClassNames of(List<String> labels) {
    if (labels.isEmpty()) {
      throw new InvalidInputException("class name list is empty");
    }
    List<String> copy = List.copyOf(labels); // also rejects null entries
    return new ClassNames(Collections.nCopies(copy.size(), ""), copy);
  }

  public static ClassNames of(String... labels) {
    return of(Arrays.asList(labels));
  }

  /**
   * Class names from a file: Keras' {@code imagenet_class_index.json} (by its {@code .json} suffix),
   * else one name per line as {@code labels.txt} holds them (blank lines skipped).
   */
  public static ClassNames read(Path file) {
    InvalidInputException.requireNonNull(file, "file");
    if (file.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".json")) {
      return ImageNetLabels.load(file);
    }
    String problem = InputPaths.problem(file, false);
    if (problem != null) {
      throw new InvalidInputException(file + ": class names file: " + problem);
    }
    try {
      List<String> lines = Files.readAllLines(file).stream().map(String::strip).filter(l -> !l.isEmpty()).toList();
      if (lines.isEmpty()) {
        throw new InvalidInputException(file + ": class names file holds no names (expected one per line)");
      }
      return of(lines);
    } catch (IOException e) {
      throw new InvalidInputException(file + ": cannot read class names: " + e);
    }
  }

  /** Identifiers (e.g. WordNet ids) and labels, both in class-index order. */
  static ClassNames withIds(List<String> ids, List<String> labels) {
    if (ids.size() != labels.size()) {
      throw new InvalidInputException(ids.size() + " ids but " + labels.size() + " labels");
    }
    return new ClassNames(List.copyOf(ids), List.copyOf(labels));
  }

  public int size() {
    return labels.size();
  }

  public String label(int index) {
    return labels.get(index);
  }

  /** The identifier of a class: its WordNet id for ImageNet, else empty. */
  public String id(int index) {
    return ids.get(index);
  }

  /** The index of the class labelled {@code label} (exactly, else ignoring case), or -1. */
  public int indexOf(String label) {
    int exact = labels.indexOf(label);
    if (exact >= 0) {
      return exact;
    }
    for (int i = 0; i < labels.size(); i++) {
      if (labels.get(i).equalsIgnoreCase(label) || (!label.isEmpty() && ids.get(i).equalsIgnoreCase(label))) {
        return i;
      }
    }
    return -1;
  }

  /** All labels in class-index order (immutable). */
  public List<String> labels() {
    return labels;
  }

  /**
   * The {@code top} highest scores of each sample, best first, ties broken by the lower class
   * index (NaN ranks above everything, as in numpy's argsort, so it cannot hide).
   *
   * <p>{@code scores} is {@code [classes]} (one sample) or {@code [samples, classes]}. A binary
   * sigmoid output {@code [samples, 1]} with two class names is read as P(second class), the first
   * getting {@code 1 - p}. {@code top} larger than the number of classes returns them all.
   *
   * @return one immutable list per sample
   */
  public List<List<Prediction>> decodePredictions(FloatTensor scores, int top) {
    InvalidInputException.requireNonNull(scores, "scores");
    if (top < 1) {
      throw new InvalidInputException("top must be at least 1, got " + top);
    }
    long[] shape = scores.shape();
    if (shape.length != 1 && shape.length != 2) {
      throw new InvalidInputException("expected scores of shape [classes] or [samples, classes], got "
          + Arrays.toString(shape));
    }
    int samples = shape.length == 1 ? 1 : (int) shape[0];
    int width = (int) shape[shape.length - 1];
    boolean sigmoid = width == 1 && size() == 2;
    if (width != size() && !sigmoid) {
      throw new InvalidInputException("scores have " + width + " classes (shape " + Arrays.toString(shape)
          + ") but there are " + size() + " class names");
    }
    float[] data = scores.data();
    List<List<Prediction>> out = new ArrayList<>(samples);
    for (int s = 0; s < samples; s++) {
      float[] row = sigmoid
          ? new float[] {1f - data[s], data[s]}
          : Arrays.copyOfRange(data, s * width, (s + 1) * width);
      out.add(topOf(row, Math.min(top, row.length)));
    }
    return Collections.unmodifiableList(out);
  }

  private List<Prediction> topOf(float[] row, int k) {
    Integer[] order = new Integer[row.length];
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
    // descending score, then ascending index; the sort is stable and Float.compare is total
    Arrays.sort(order, (a, b) -> Float.compare(row[b], row[a]));
    List<Prediction> best = new ArrayList<>(k);
    for (int r = 0; r < k; r++) {
      int i = order[r];
      best.add(new Prediction(i, ids.get(i), labels.get(i), row[i]));
    }
    return Collections.unmodifiableList(best);
  }

  @Override
  public String toString() {
    return "ClassNames[" + size() + " classes]";
  }
}
