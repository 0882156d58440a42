package dev.convlens.visualize.cam;

import dev.convlens.bridge.FloatTensor;
import dev.convlens.bridge.InvalidInputException;
import java.util.Arrays;

/**
 * What an explanation explains: the scalar score whose gradients (or, for Score-CAM and
 * Ablation-CAM, whose changes) a method follows. Given per call and per image, so one explainer
 * serves every class, unit and region; the explainer's ops are built once and the target only
 * changes what is fed.
 *
 * <pre>{@code
 * cam.explain(batch, List.of(Target.classIndex(386), Target.logit(101)));  // one target per image
 * Target.region(7, roadMask)                  // a dense output: class 7's logits summed over a mask
 * Target.similarity(referenceEmbedding)       // cosine similarity of the embedding to a vector
 * }</pre>
 */
public sealed interface Target {
  /** Which tensor a class or unit target reads. */
  enum Score {
    /** The method's own: probability for the book's Grad-CAM and Score-CAM, the logit for the others. */
    METHOD,
    /** The model output as it is: a softmax or sigmoid probability, or a regression unit's value. */
    OUTPUT,
    /** The value before the output layer's softmax or sigmoid ({@code TargetLayers.logitsLayer}). */
    LOGIT
  }

  /** The image's top-1 class (the default), scored as the method scores. Needs an output {@code [N, classes]}. */
  static Target topClass() {
    return TopClass.INSTANCE;
  }

  /** Class or unit {@code index}, scored as the method scores. */
  static Target classIndex(int index) {
    return new Units(new int[] {index}, Score.METHOD);
  }

  /** The model output's unit {@code index} as it is: a class probability, a multi-label sigmoid, a regression value. */
  static Target output(int index) {
    return new Units(new int[] {index}, Score.OUTPUT);
  }

  /** The pre-activation score (logit) of class or unit {@code index}. */
  static Target logit(int index) {
    return new Units(new int[] {index}, Score.LOGIT);
  }

  /** The sum of several classes' scores, as the method scores them: one map for "any of these". */
  static Target classes(int... indexes) {
    return new Units(indexes, Score.METHOD);
  }

  /**
   * A region of a dense output {@code [N, H, W, C]} (segmentation-like): class {@code classIndex}'s
   * logits summed over {@code mask [H, W]} (weights; 0/1 for a region).
   */
  static Target region(int classIndex, FloatTensor mask) {
    return new Region(classIndex, mask);
  }

  /**
   * The cosine similarity of the explainer's embedding ({@link CamOptions#withEmbedding}: the model
   * output by default) to {@code reference} (flattened; its size must be the embedding's).
   */
  static Target similarity(FloatTensor reference) {
    return new Similarity(reference);
  }

  /** See {@link #topClass()}. */
  record TopClass() implements Target {
    static final TopClass INSTANCE = new TopClass();
  }

  /** See {@link #classIndex}, {@link #output}, {@link #logit} and {@link #classes}. */
  record Units(int[] indexes, Score score) implements Target {
    public Units {
      if (indexes == null || indexes.length == 0 || score == null) {
        throw new InvalidInputException("a class target needs at least one class index and a score kind");
      }
      indexes = indexes.clone();
      for (int i : indexes) {
        if (i < 0) {
          throw new InvalidInputException("class index must be >= 0, got " + i + " (Target.topClass() for the top one)");
        }
      }
    }

    @Override
    public int[] indexes() {
      return indexes.clone();
    }

    /** The one class of a single-class target, else -1. */
    int single() {
      return indexes.length == 1 ? indexes[0] : -1;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Units u && Arrays.equals(indexes, u.indexes) && score == u.score;
    }

    @Override
    public int hashCode() {
      return 31 * Arrays.hashCode(indexes) + score.hashCode();
    }

    @Override
    public String toString() {
      return (score == Score.METHOD ? "class" : score.name().toLowerCase(java.util.Locale.ROOT))
          + (indexes.length == 1 ? " " + indexes[0] : "es " + Arrays.toString(indexes));
    }
  }

  /** See {@link #region}. */
  record Region(int classIndex, FloatTensor mask) implements Target {
    public Region {
      if (classIndex < 0 || mask == null || mask.rank() != 2) {
        throw new InvalidInputException("a region target needs a class index >= 0 and a mask [H, W], got class "
            + classIndex + " and " + (mask == null ? "no mask" : "a mask of shape " + Arrays.toString(mask.shape())));
      }
    }
  }

  /** See {@link #similarity}. */
  record Similarity(FloatTensor reference) implements Target {
    public Similarity {
      if (reference == null || reference.size() == 0) {
        throw new InvalidInputException("a similarity target needs a non-empty reference vector");
      }
    }
  }
}
