package dev.convlens.visualize.metrics;

import dev.convlens.bridge.Cancellation;
import dev.convlens.bridge.FloatTensor;
import dev.convlens.bridge.InvalidInputException;
import dev.convlens.bridge.KerasModel;
import dev.convlens.bridge.spi.ModelGraph;
import java.util.List;

/**
 * The class probability of many variants of one image, as {@code model.predict} gives it: the
 * variants are made on demand, {@code batchSize} at a time, so memory stays at one batch.
 */
final class Scores {
  /** Writes variant {@code index} ({@code H*W*C} values) into {@code dst} at {@code offset}. */
  interface Variants {
    void fill(int index, float[] dst, int offset);
  }

  private final KerasModel model;
  private final long[] imageShape;
  private final int classIndex;

  private Scores(KerasModel model, long[] imageShape, int classIndex) {
    this.model = model;
    this.imageShape = imageShape;
    this.classIndex = classIndex;
  }

  /** @throws InvalidInputException for a model with several inputs or outputs, or a class outside its output */
  static Scores of(KerasModel model, FloatTensor image, int classIndex, String metric) {
    InvalidInputException.requireNonNull(model, metric + ": model");
    if (model.inputNames().size() != 1 || model.outputNames().size() != 1) {
      throw new InvalidInputException(metric + " needs a model with one input and one output; model '" + model.name()
          + "' has inputs " + model.inputNames() + " and outputs " + model.outputNames());
    }
    long[] out = model.outputShape();
    if (out.length != 2) {
      throw new InvalidInputException(metric + " needs a classifier with an output [N, classes]; model '"
          + model.name() + "' has output shape " + java.util.Arrays.toString(out));
    }
    int classes = classes(model);
    if (classIndex < 0 || classIndex >= classes) {
      throw new InvalidInputException(metric + ": class index " + classIndex + " is outside 0.." + (classes - 1)
          + " of model '" + model.name() + "'");
    }
    return new Scores(model, image.shape().clone(), classIndex);
  }

  static int classes(KerasModel model) {
    long[] s = model.outputShape();
    return (int) s[s.length - 1];
  }

  /** The probability of each of {@code count} variants, in {@code ceil(count / batchSize)} graph runs. */
  double[] probabilities(int count, Variants variants, int batchSize, Cancellation cancellation) {
    int size = 1;
    for (long d : imageShape) {
      size *= (int) d;
    }
    ModelGraph g = model.graph();
    double[] out = new double[count];
    for (int start = 0; start < count; start += batchSize) {
      int n = Math.min(batchSize, count - start);
      cancellation.check();  // before building the batch too: ROAD's imputation is CPU work
      float[] batch = new float[n * size];
      for (int j = 0; j < n; j++) {
        variants.fill(start + j, batch, j * size);
      }
      long[] shape = new long[imageShape.length + 1];
      shape[0] = n;
      System.arraycopy(imageShape, 0, shape, 1, imageShape.length);
      List<FloatTensor> result = g.newRun().feedInput(new FloatTensor(shape, batch)).fetch(g.output())
          .cancellation(cancellation).run();
      float[] p = result.get(0).data();
      int classes = p.length / n;
      for (int j = 0; j < n; j++) {
        out[start + j] = p[j * classes + classIndex];
      }
    }
    return out;
  }
}
