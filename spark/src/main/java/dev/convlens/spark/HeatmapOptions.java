package dev.convlens.spark;

import dev.convlens.bridge.InvalidInputException;
import dev.convlens.visualize.cam.AttributionMethod;
import dev.convlens.visualize.cam.CamMethod;
import java.io.Serializable;
import org.jspecify.annotations.Nullable;

/**
 * What {@link ConvlensSpark#explain} computes for each row: the method and target for all rows,
 * or per row from columns. Immutable; start from {@link #defaults()}.
 *
 * @param rows the image column, batch size and error handling
 * @param method the method's name ({@code AttributionMethod.parse}: {@code gradcam-book}, {@code
 *     gradcam}, {@code gradcam++}, {@code scorecam}, {@code saliency}, {@code ig}, ...) for rows
 *     without one of their own
 * @param layer the target layer of the CAM methods, or null for the last convolutional map
 * @param targetClass the class to explain by label (or WordNet id) for rows without one of their
 *     own, or null for each image's top class
 * @param methodColumn a string column naming each row's method (null values: {@code method}), or null
 * @param targetColumn an integer (class index) or string (class label) column with each row's
 *     class (null values: {@code targetClass}), or null
 * @param withPng whether the map drawn over the image (JET, alpha 0.4, as the book) goes into
 *     {@code overlay_png} as PNG bytes
 */
public record HeatmapOptions(RowOptions rows, String method, @Nullable String layer, @Nullable String targetClass,
    @Nullable String methodColumn, @Nullable String targetColumn, boolean withPng) implements Serializable {
  private static final long serialVersionUID = 1L;

  public HeatmapOptions {
    InvalidInputException.requireNonNull(rows, "rows");
    AttributionMethod.parse(method);
  }

  /** The book's Grad-CAM of each image's top class on the last convolutional map, no PNG. */
  public static HeatmapOptions defaults() {
    return new HeatmapOptions(RowOptions.defaults(), CamMethod.GRAD_CAM_BOOK.cliName(), null, null, null, null, false);
  }

  public HeatmapOptions withRows(RowOptions rows) {
    return new HeatmapOptions(rows, method, layer, targetClass, methodColumn, targetColumn, withPng);
  }

  public HeatmapOptions withMethod(String name) {
    return new HeatmapOptions(rows, name, layer, targetClass, methodColumn, targetColumn, withPng);
  }

  public HeatmapOptions withLayer(String name) {
    return new HeatmapOptions(rows, method, name, targetClass, methodColumn, targetColumn, withPng);
  }

  public HeatmapOptions withTargetClass(String label) {
    return new HeatmapOptions(rows, method, layer, label, methodColumn, targetColumn, withPng);
  }

  public HeatmapOptions withMethodColumn(String column) {
    return new HeatmapOptions(rows, method, layer, targetClass, column, targetColumn, withPng);
  }

  public HeatmapOptions withTargetColumn(String column) {
    return new HeatmapOptions(rows, method, layer, targetClass, methodColumn, column, withPng);
  }

  public HeatmapOptions withPng(boolean on) {
    return new HeatmapOptions(rows, method, layer, targetClass, methodColumn, targetColumn, on);
  }
}
