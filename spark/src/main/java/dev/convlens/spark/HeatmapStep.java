package dev.convlens.spark;

import dev.convlens.bridge.FloatTensor;
import dev.convlens.bridge.InvalidInputException;
import dev.convlens.bridge.image.ClassNames;
import dev.convlens.visualize.ExplainOptions;
import dev.convlens.visualize.ImageClassifier;
import dev.convlens.visualize.InputImage;
import dev.convlens.visualize.cam.AttributionMethod;
import dev.convlens.visualize.cam.Attributor;
import dev.convlens.visualize.cam.Heatmap;
import dev.convlens.visualize.cam.Target;
import dev.convlens.visualize.render.Images;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.jspecify.annotations.Nullable;

/**
 * {@code heatmap}: each row's map (normalized to [0, 1], at the target layer's resolution, row-major)
 * with its method, layer, class and score; {@code overlay_png} on request. Rows of a batch that
 * share a method are explained in one pass, each with its own target.
 */
final class HeatmapStep implements RowStep {
  private static final long serialVersionUID = 1L;
  static final StructType HEATMAP = new StructType()
      .add("method", DataTypes.StringType, false)
      .add("layer", DataTypes.StringType, false)
      .add("class_index", DataTypes.IntegerType, false)
      .add("label", DataTypes.StringType, true)
      .add("score", DataTypes.FloatType, false)
      .add("height", DataTypes.IntegerType, false)
      .add("width", DataTypes.IntegerType, false)
      .add("values", DataTypes.createArrayType(DataTypes.FloatType, false), false);

  private final HeatmapOptions options;
  private final int methodField;
  private final int targetField;

  /** @param methodField, targetField the per-row columns' indexes, or -1 */
  HeatmapStep(HeatmapOptions options, int methodField, int targetField) {
    this.options = options;
    this.methodField = methodField;
    this.targetField = targetField;
  }

  @Override
  public List<StructField> columns() {
    List<StructField> c = new ArrayList<>();
    c.add(DataTypes.createStructField("heatmap", HEATMAP, true));
    if (options.withPng()) {
      c.add(DataTypes.createStructField("overlay_png", DataTypes.BinaryType, true));
    }
    return c;
  }

  @Override
  public List<Object[]> apply(ImageClassifier classifier, List<Row> rows, List<InputImage> images) {
    Map<AttributionMethod, List<Integer>> byMethod = new LinkedHashMap<>();
    List<Target> targets = new ArrayList<>(rows.size());
    for (int i = 0; i < rows.size(); i++) {
      byMethod.computeIfAbsent(method(rows.get(i)), m -> new ArrayList<>()).add(i);
      targets.add(target(rows.get(i), classifier.classNames()));
    }
    Object[][] values = new Object[rows.size()][];
    for (Map.Entry<AttributionMethod, List<Integer>> group : byMethod.entrySet()) {
      List<Integer> which = group.getValue();
      List<InputImage> groupImages = new ArrayList<>(which.size());
      List<Target> groupTargets = new ArrayList<>(which.size());
      which.forEach(i -> {
        groupImages.add(images.get(i));
        groupTargets.add(targets.get(i));
      });
      Attributor attributor = classifier.attributor(group.getKey(), options.layer());
      List<Heatmap> maps = attributor.explain(classifier.inputs(groupImages), groupTargets);
      for (int k = 0; k < which.size(); k++) {
        Heatmap h = maps.get(k);
        Row map = heatmapRow(group.getKey(), attributor.layer(), h, classifier.classNames());
        values[which.get(k)] = options.withPng()
            ? new Object[] {map, Images.png(classifier.overlay(groupImages.get(k), h, ExplainOptions.defaults()))}
            : new Object[] {map};
      }
    }
    return java.util.Arrays.asList(values);
  }

  private AttributionMethod method(Row row) {
    String name = methodField >= 0 && !row.isNullAt(methodField) ? row.getString(methodField) : options.method();
    return AttributionMethod.parse(name);
  }

  private Target target(Row row, ClassNames names) {
    if (targetField >= 0 && !row.isNullAt(targetField)) {
      Object v = row.get(targetField);
      return v instanceof String label ? Target.classIndex(indexOf(names, label))
          : Target.classIndex(classIndex(names, ((Number) v).intValue()));
    }
    return options.targetClass() == null ? Target.topClass() : Target.classIndex(indexOf(names, options.targetClass()));
  }

  private static int classIndex(ClassNames names, int index) {
    if (index < 0 || index >= names.size()) {
      throw new InvalidInputException("class index " + index + " is outside 0.." + (names.size() - 1));
    }
    return index;
  }

  private static int indexOf(ClassNames names, String label) {
    int i = names.indexOf(label);
    if (i < 0) {
      throw new InvalidInputException("the model has no class '" + label + "'");
    }
    return i;
  }

  private static Row heatmapRow(AttributionMethod method, String layer, Heatmap h, ClassNames names) {
    int c = h.classIndex();
    @Nullable String label = c >= 0 && c < names.size() ? names.label(c) : null;
    FloatTensor map = h.normalized();
    return RowFactory.create(method.cliName(), layer, c, label, h.score(), h.height(), h.width(), map.data());
  }
}
