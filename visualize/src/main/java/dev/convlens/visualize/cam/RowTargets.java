package dev.convlens.visualize.cam;

import dev.convlens.bridge.Cancellation;
import dev.convlens.bridge.FloatTensor;
import dev.convlens.bridge.InvalidInputException;
import dev.convlens.bridge.spi.ModelRun;
import java.util.Arrays;
import java.util.List;

/**
 * One batch's {@link Target}s as the feeds of {@link TargetOps}, checked against the model, and
 * each row's score computed in Java from fetched outputs, logits and embeddings: the same formula
 * as the graph's, for methods that score many perturbed inputs of one image per target (Score-CAM,
 * Ablation-CAM) and so keep the fetched tensors rather than one score per run.
 */
final class RowTargets {
  private final TargetOps ops;
  private final Target[] targets;
  private final Target.Score methodScore;
  private final float[] outputWeights;
  private final float[] logitWeights;
  private final float[] flags;
  private final float[] reference;

  private RowTargets(TargetOps ops, Target[] targets, Target.Score methodScore) {
    this.ops = ops;
    this.targets = targets;
    this.methodScore = methodScore;
    int rows = targets.length;
    int m = ops.outputSize();
    int e = ops.embeddingSize();
    outputWeights = new float[rows * m];
    logitWeights = new float[rows * m];
    flags = new float[rows * TargetOps.FLAGS];
    reference = new float[rows * e];
    for (int r = 0; r < rows; r++) {
      fill(r, targets[r]);
    }
  }

  /**
   * The feeds of {@code targets}, one per row; {@link Target.Score#METHOD} reads {@code kind}'s
   * tensor (the output for probability and gradient-free methods, else the logits).
   *
   * @throws InvalidInputException naming the target and what the model's output allows
   */
  static RowTargets of(TargetOps ops, List<Target> targets, ScoreKind kind) {
    Target.Score method = kind == ScoreKind.LOGIT ? Target.Score.LOGIT : Target.Score.OUTPUT;
    return new RowTargets(ops, targets.toArray(Target[]::new), method);
  }

  int rows() {
    return targets.length;
  }

  ModelRun feed(ModelRun run) {
    int rows = rows();
    return run.feed(ops.outputWeights(), FloatTensor.of(outputWeights, rows, ops.outputSize()))
        .feed(ops.logitWeights(), FloatTensor.of(logitWeights, rows, ops.outputSize()))
        .feed(ops.flags(), FloatTensor.of(flags, rows, TargetOps.FLAGS))
        .feed(ops.reference(), FloatTensor.of(reference, rows, ops.embeddingSize()));
  }

  /** Row {@code r}'s target with the top class resolved from row {@code i} of the fetched {@code outputs [n, M]}. */
  Target resolved(int r, float[] outputs, int i) {
    if (targets[r] instanceof Target.TopClass) {
      int c = argmax(outputs, i * ops.outputSize(), ops.outputSize());
      return new Target.Units(new int[] {c}, methodScore == Target.Score.LOGIT ? Target.Score.LOGIT : Target.Score.OUTPUT);
    }
    return targets[r];
  }

  /** Every row's target resolved from its row {@code outputRow[r]} of {@code outputs}, so that Java scores need no top class. */
  RowTargets resolved(float[] outputs, int[] outputRow) {
    Target[] out = new Target[rows()];
    for (int r = 0; r < out.length; r++) {
      out[r] = resolved(r, outputs, outputRow[r]);
    }
    return new RowTargets(ops, out, methodScore);
  }

  /** The class a row explains (-1 for a region, a similarity or several classes). */
  static int classOf(Target resolved) {
    return resolved instanceof Target.Units u ? u.single() : -1;
  }

  boolean needsLogits() {
    return Arrays.stream(targets).anyMatch(t -> t instanceof Target.Region
        || t instanceof Target.Units u && (u.score() == Target.Score.LOGIT
        || u.score() == Target.Score.METHOD && methodScore == Target.Score.LOGIT));
  }

  boolean needsEmbedding() {
    return Arrays.stream(targets).anyMatch(t -> t instanceof Target.Similarity);
  }

  /** One perturbed input's fetched tensors: row {@code i} of arrays a run's inputs share. */
  record Scored(float[] outputs, float[] logits, float[] embedding, int i) {}

  /**
   * Runs {@code run} (its {@code inputs} images fed) fetching the output and whatever else the
   * targets read: one {@link Scored} per input, to score with {@link #score(int, Scored)}.
   */
  Scored[] fetch(ModelRun run, int inputs, Cancellation cancellation) {
    boolean logits = needsLogits();
    boolean embedding = needsEmbedding();
    ModelRun r = run.fetch(ops.outputs());
    if (logits) {
      r = r.fetch(ops.logits());
    }
    if (embedding) {
      r = r.fetch(ops.embedding());
    }
    List<FloatTensor> out = r.cancellation(cancellation).run();
    float[] o = out.get(0).data();
    float[] l = logits ? out.get(1).data() : new float[0];
    float[] e = embedding ? out.get(logits ? 2 : 1).data() : new float[0];
    Scored[] scored = new Scored[inputs];
    for (int i = 0; i < inputs; i++) {
      scored[i] = new Scored(o, l, e, i);
    }
    return scored;
  }

  /** Row {@code r}'s score of one fetched input (the top class resolved first). */
  double score(int r, Scored s) {
    return score(r, s.outputs(), s.logits(), s.embedding(), s.i());
  }

  /**
   * Row {@code r}'s score from one perturbed input's fetched tensors (row {@code i} of each array;
   * logits and embedding may be empty when {@link #needsLogits()} / {@link #needsEmbedding()} say
   * they are not read). The top class must be resolved first.
   */
  double score(int r, float[] outputs, float[] logits, float[] embedding, int i) {
    if (flags[r * TargetOps.FLAGS] != 0 || flags[r * TargetOps.FLAGS + 1] != 0) {
      throw new IllegalStateException("resolve the top class before scoring in Java");
    }
    int m = ops.outputSize();
    double s = 0;
    for (int j = 0; j < m; j++) {
      float ow = outputWeights[r * m + j];
      float lw = logitWeights[r * m + j];
      s += ow == 0 ? 0 : ow * (double) outputs[i * m + j];
      s += lw == 0 ? 0 : lw * (double) logits[i * m + j];
    }
    if (flags[r * TargetOps.FLAGS + 2] != 0) {
      int e = ops.embeddingSize();
      double dot = 0;
      double ee = 0;
      double rr = 0;
      for (int j = 0; j < e; j++) {
        double a = embedding[i * e + j];
        double b = reference[r * e + j];
        dot += a * b;
        ee += a * a;
        rr += b * b;
      }
      s += dot / (Math.sqrt(Math.max(ee, 1e-24)) * Math.sqrt(Math.max(rr, 1e-24)));
    }
    return s;
  }

  private void fill(int r, Target t) {
    int m = ops.outputSize();
    long[] shape = ops.outputShape();
    if (t instanceof Target.TopClass) {
      if (shape.length != 1) {
        throw new InvalidInputException("the model output has shape " + shapeText(shape) + " per image, so it has no"
            + " top class; give a target (Target.region, Target.output, Target.similarity)");
      }
      flags[r * TargetOps.FLAGS + (methodScore == Target.Score.LOGIT ? 1 : 0)] = 1;
    } else if (t instanceof Target.Units u) {
      float[] w = scoreOf(u.score()) == Target.Score.LOGIT ? logitWeights : outputWeights;
      for (int c : u.indexes()) {
        if (c >= m) {
          throw new InvalidInputException("class index " + c + " is outside 0.." + (m - 1) + " of the model output "
              + shapeText(shape));
        }
        w[r * m + c] += 1;
      }
    } else if (t instanceof Target.Region region) {
      FloatTensor mask = region.mask();
      if (shape.length != 3 || mask.dim(0) != shape[0] || mask.dim(1) != shape[1] || region.classIndex() >= shape[2]) {
        throw new InvalidInputException("a region target needs a dense output [H, W, C] per image, a mask [H, W]"
            + " of its size and a class below C; the output is " + shapeText(shape) + ", the mask "
            + Arrays.toString(mask.shape()) + ", the class " + region.classIndex());
      }
      int channels = (int) shape[2];
      float[] md = mask.data();
      for (int p = 0; p < md.length; p++) {
        logitWeights[r * m + p * channels + region.classIndex()] = md[p];
      }
    } else if (t instanceof Target.Similarity sim) {
      int e = ops.embeddingSize();
      if (sim.reference().size() != e) {
        throw new InvalidInputException("the similarity reference has " + sim.reference().size()
            + " values; the embedding has " + e);
      }
      System.arraycopy(sim.reference().data(), 0, reference, r * e, e);
      flags[r * TargetOps.FLAGS + 2] = 1;
    } else {
      throw new InvalidInputException("target is null");
    }
  }

  private Target.Score scoreOf(Target.Score s) {
    return s == Target.Score.METHOD ? methodScore : s;
  }

  private static String shapeText(long[] shape) {
    return Arrays.toString(shape);
  }

  static int argmax(float[] d, int offset, int n) {
    int best = 0;
    for (int c = 1; c < n; c++) {
      if (d[offset + c] > d[offset + best]) {
        best = c;
      }
    }
    return best;
  }
}
