package dev.convlens.spark;

import dev.convlens.bridge.FloatTensor;
import dev.convlens.bridge.image.Prediction;
import dev.convlens.visualize.ImageClassifier;
import dev.convlens.visualize.InputImage;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/** {@code predictions}: array of (index, label, probability), best first; {@code output}: the whole output vector on request. */
final class PredictStep implements RowStep {
  private static final long serialVersionUID = 1L;
  static final StructType PREDICTION = new StructType()
      .add("index", DataTypes.IntegerType, false)
      .add("label", DataTypes.StringType, false)
      .add("probability", DataTypes.FloatType, false);

  private final int topK;
  private final boolean withOutput;

  PredictStep(PredictOptions options) {
    this.topK = options.topK();
    this.withOutput = options.withOutput();
  }

  @Override
  public List<StructField> columns() {
    List<StructField> c = new ArrayList<>();
    c.add(DataTypes.createStructField("predictions", DataTypes.createArrayType(PREDICTION, false), true));
    if (withOutput) {
      c.add(DataTypes.createStructField("output", DataTypes.createArrayType(DataTypes.FloatType, false), true));
    }
    return c;
  }

  @Override
  public List<Object[]> apply(ImageClassifier classifier, List<Row> rows, List<InputImage> images) {
    FloatTensor out = classifier.model().predict(classifier.inputs(images));
    List<List<Prediction>> top = classifier.classNames().decodePredictions(out, topK);
    List<Object[]> values = new ArrayList<>(images.size());
    for (int i = 0; i < images.size(); i++) {
      List<Prediction> p = top.get(i);
      Row[] predictions = new Row[p.size()];
      for (int k = 0; k < predictions.length; k++) {
        predictions[k] = RowFactory.create(p.get(k).index(), p.get(k).label(), p.get(k).score());
      }
      values.add(withOutput ? new Object[] {predictions, out.slice(i).data()} : new Object[] {predictions});
    }
    return values;
  }
}
