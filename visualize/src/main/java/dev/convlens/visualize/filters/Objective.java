package dev.convlens.visualize.filters;

import dev.convlens.bridge.InvalidInputException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * What a feature visualization maximizes: a weighted sum of terms, composed as in Lucid,
 * {@code Objective.channel("conv2d_9", 7).minus(Objective.totalVariation().times(0.1))}. Immutable.
 *
 * <p>Terms on a layer's output (all averaged over the batch's own image only):
 * <ul>
 *   <li>{@link #channel}: the mean of one channel over height and width (the book's filter loss);</li>
 *   <li>{@link #neuron}: one unit, a channel at one position (the center by default);</li>
 *   <li>{@link #direction}: the projection of the activation vector on a direction in channel space,
 *       averaged over positions (not normalized: scale the vector to weigh it);</li>
 *   <li>{@link #layer}: DeepDream, the mean of the squares of the whole layer;</li>
 *   <li>{@link #classLogit}: a class score of the model's output before its softmax or sigmoid (the
 *       softmax would let the image raise its class by lowering the others);</li>
 *   <li>{@link #diversity}: Lucid's batch similarity, the mean cosine similarity of the layer's Gram
 *       matrix with those of the other images of the batch. Subtract it to make a batch of images of
 *       the same objective differ: {@code channel(...).minus(diversity(...).times(100))}.</li>
 * </ul>
 * Terms on the picture itself (values 0..1, before the transforms): {@link #totalVariation} (the mean
 * absolute difference of neighbouring pixels) and {@link #l2} (the mean squared distance from mid
 * gray), usually subtracted as penalties. {@link #preActivation()} moves the layer terms before the
 * layer's activation function.
 */
public final class Objective {
  /** The kind of one term. */
  enum Kind {
    CHANNEL,
    NEURON,
    DIRECTION,
    CLASS_LOGIT,
    LAYER,
    DIVERSITY,
    TOTAL_VARIATION,
    L2;

    boolean onImage() {
      return this == TOTAL_VARIATION || this == L2;
    }
  }

  /**
   * One weighted term. {@code layer} is null for image terms and for the class logit (the model's
   * output layer); {@code y, x} are -1 for a neuron at the center.
   */
  record Term(Kind kind, @Nullable String layer, boolean preActivation, double weight, int channel, int y, int x,
      float @Nullable [] direction) {
    Term times(double factor) {
      return new Term(kind, layer, preActivation, weight * factor, channel, y, x, direction);
    }

    Term beforeActivation() {
      return kind.onImage() ? this : new Term(kind, layer, true, weight, channel, y, x, direction);
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Term t && kind == t.kind && Objects.equals(layer, t.layer) && preActivation == t.preActivation
          && Double.compare(weight, t.weight) == 0 && channel == t.channel && y == t.y && x == t.x
          && Arrays.equals(direction, t.direction);
    }

    @Override
    public int hashCode() {
      return Objects.hash(kind, layer, preActivation, weight, channel, y, x) * 31 + Arrays.hashCode(direction);
    }

    @Override
    public String toString() {
      String where = layer == null ? "" : layer + (preActivation ? " (pre-activation)" : "");
      String body = switch (kind) {
        case CHANNEL -> "channel(" + where + ", " + channel + ")";
        case NEURON -> "neuron(" + where + ", " + channel + (y < 0 ? "" : ", " + y + ", " + x) + ")";
        case DIRECTION -> "direction(" + where + ", [" + (direction == null ? 0 : direction.length) + " values])";
        case CLASS_LOGIT -> "classLogit(" + channel + ")";
        case LAYER -> "layer(" + where + ")";
        case DIVERSITY -> "diversity(" + where + ")";
        case TOTAL_VARIATION -> "totalVariation()";
        case L2 -> "l2()";
      };
      return weight == 1 ? body : String.format(Locale.ROOT, "%s * %s", fmt(weight), body);
    }
  }

  private final List<Term> terms;

  private Objective(List<Term> terms) {
    this.terms = List.copyOf(terms);
  }

  private static Objective of(Kind kind, @Nullable String layer, int channel, int y, int x, float @Nullable [] direction) {
    return new Objective(List.of(new Term(kind, layer, false, 1, channel, y, x, direction)));
  }

  /** The mean of {@code channel} of {@code layer}'s output over height and width. */
  public static Objective channel(String layer, int channel) {
    requireLayer(layer);
    requireIndex(channel, "channel");
    return of(Kind.CHANNEL, layer, channel, -1, -1, null);
  }

  /** One unit: {@code channel} at the center of {@code layer}'s output ({@code (h - 1) / 2, (w - 1) / 2}). */
  public static Objective neuron(String layer, int channel) {
    requireLayer(layer);
    requireIndex(channel, "channel");
    return of(Kind.NEURON, layer, channel, -1, -1, null);
  }

  /** One unit: {@code channel} at row {@code y}, column {@code x} of {@code layer}'s output. */
  public static Objective neuron(String layer, int channel, int y, int x) {
    requireLayer(layer);
    requireIndex(channel, "channel");
    requireIndex(y, "y");
    requireIndex(x, "x");
    return of(Kind.NEURON, layer, channel, y, x, null);
  }

  /** {@code sum_c act[h, w, c] * vector[c]}, averaged over positions; one value per channel of the layer. */
  public static Objective direction(String layer, float[] vector) {
    requireLayer(layer);
    if (vector == null || vector.length == 0) {
      throw new InvalidInputException("objective direction: the vector is empty (one value per channel of '" + layer + "')");
    }
    for (float v : vector) {
      if (!Float.isFinite(v)) {
        throw new InvalidInputException("objective direction: the vector for '" + layer + "' has NaN or infinite values");
      }
    }
    return of(Kind.DIRECTION, layer, -1, -1, -1, vector.clone());
  }

  /** DeepDream: the mean of the squares of the whole layer output. */
  public static Objective layer(String layer) {
    requireLayer(layer);
    return of(Kind.LAYER, layer, -1, -1, -1, null);
  }

  /** Class {@code index}'s score before the model's final softmax or sigmoid (its logit). */
  public static Objective classLogit(int index) {
    requireIndex(index, "class index");
    return of(Kind.CLASS_LOGIT, null, index, -1, -1, null);
  }

  /** Lucid's diversity: similarity of this image's Gram matrix at {@code layer} to the other images of the batch. */
  public static Objective diversity(String layer) {
    requireLayer(layer);
    return of(Kind.DIVERSITY, layer, -1, -1, -1, null);
  }

  /** The mean absolute difference between neighbouring pixel values of the picture (0..1 scale). */
  public static Objective totalVariation() {
    return of(Kind.TOTAL_VARIATION, null, -1, -1, -1, null);
  }

  /** The mean squared difference of the picture's values (0..1) from mid gray 0.5. */
  public static Objective l2() {
    return of(Kind.L2, null, -1, -1, -1, null);
  }

  public Objective plus(Objective other) {
    if (other == null) {
      throw new InvalidInputException("objective: cannot add null");
    }
    List<Term> all = new ArrayList<>(terms);
    all.addAll(other.terms);
    return new Objective(all);
  }

  public Objective minus(Objective other) {
    if (other == null) {
      throw new InvalidInputException("objective: cannot subtract null");
    }
    return plus(other.negate());
  }

  public Objective times(double factor) {
    if (!Double.isFinite(factor)) {
      throw new InvalidInputException("objective: weight must be a finite number, got " + factor);
    }
    return new Objective(terms.stream().map(t -> t.times(factor)).toList());
  }

  public Objective negate() {
    return times(-1);
  }

  /** The same objective with its layer terms taken before the layers' activation functions. */
  public Objective preActivation() {
    return new Objective(terms.stream().map(Term::beforeActivation).toList());
  }

  List<Term> terms() {
    return terms;
  }

  /** True when some term reads a layer of the model (so a dead start can be detected). */
  boolean readsModel() {
    return terms.stream().anyMatch(t -> !t.kind.onImage());
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Objective other && terms.equals(other.terms);
  }

  @Override
  public int hashCode() {
    return terms.hashCode();
  }

  @Override
  public String toString() {
    StringBuilder s = new StringBuilder();
    for (Term t : terms) {
      if (s.length() == 0) {
        s.append(t);
      } else if (t.weight < 0) {
        s.append(" - ").append(t.times(-1));
      } else {
        s.append(" + ").append(t);
      }
    }
    return s.toString();
  }

  private static void requireLayer(String layer) {
    if (layer == null || layer.isBlank()) {
      throw new InvalidInputException("objective: layer name is empty");
    }
  }

  private static void requireIndex(int i, String what) {
    if (i < 0) {
      throw new InvalidInputException("objective: " + what + " must be >= 0, got " + i);
    }
  }

  private static String fmt(double w) {
    return w == Math.rint(w) && Math.abs(w) < 1e15 ? Long.toString((long) w) : Double.toString(w);
  }
}
