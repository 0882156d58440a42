package dev.convlens.spark;

import dev.convlens.bridge.FloatTensor;
import dev.convlens.visualize.ImageClassifier;
import dev.convlens.visualize.InputImage;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.jspecify.annotations.Nullable;

/** {@code features}: a layer's output as a Spark ML vector, flattened or pooled over positions. */
final class FeatureStep implements RowStep {
  private static final long serialVersionUID = 1L;

  private final @Nullable String layer;
  private final FeatureOptions.Pooling pooling;

  FeatureStep(FeatureOptions options) {
    this.layer = options.layer();
    this.pooling = options.pooling();
  }

  @Override
  public List<StructField> columns() {
    return List.of(DataTypes.createStructField("features", SQLDataTypes.VectorType(), true));
  }

  @Override
  public List<Object[]> apply(ImageClassifier classifier, List<Row> rows, List<InputImage> images) {
    FloatTensor x = classifier.inputs(images);
    String l = layer;
    FloatTensor out = l == null ? classifier.model().predict(x)
        : java.util.Objects.requireNonNull(classifier.model().activations(x, List.of(l)).get(l));
    List<Object[]> values = new ArrayList<>(images.size());
    for (int i = 0; i < images.size(); i++) {
      values.add(new Object[] {Vectors.dense(vector(out.slice(i)))});
    }
    return values;
  }

  /** One image's output as doubles: flattened (row-major, as Keras' Flatten), or pooled over all axes but the last. */
  double[] vector(FloatTensor one) {
    float[] d = one.data();
    if (pooling == FeatureOptions.Pooling.FLATTEN || one.rank() < 2) {
      double[] v = new double[d.length];
      for (int i = 0; i < d.length; i++) {
        v[i] = d[i];
      }
      return v;
    }
    int channels = (int) one.dim(one.rank() - 1);
    int positions = d.length / channels;
    double[] v = new double[channels];
    boolean max = pooling == FeatureOptions.Pooling.MAX;
    if (max) {
      java.util.Arrays.fill(v, Double.NEGATIVE_INFINITY);
    }
    for (int p = 0; p < positions; p++) {
      for (int c = 0; c < channels; c++) {
        float a = d[p * channels + c];
        v[c] = max ? Math.max(v[c], a) : v[c] + a;
      }
    }
    if (!max) {
      for (int c = 0; c < channels; c++) {
        v[c] /= positions;
      }
    }
    return v;
  }
}
