/**
 * convlens on Spark: {@link dev.convlens.spark.ConvlensSpark} adds predictions, heatmaps or a
 * layer's features to each row of a {@code Dataset<Row>} of images, with a model loaded once per
 * executor JVM and shared by its tasks. Public types: ConvlensSpark, ModelSpec, RowOptions,
 * PredictOptions, HeatmapOptions, FeatureOptions, ConvlensPlugin. Everything else is package-private.
 */
@NullMarked
package dev.convlens.spark;

import org.jspecify.annotations.NullMarked;
