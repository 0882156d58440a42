/**
 * {@code convlens compare-methods}: every attribution method run on a labeled folder and scored by
 * the metrics of {@code dev.convlens.visualize.metrics} (pointing game, deletion and insertion,
 * ROAD, average drop and increase, the model-randomization check), per image, then summarised with
 * confidence intervals. {@link dev.convlens.cli.compare.LabeledImages} reads the folder and its
 * boxes, {@link dev.convlens.cli.compare.Comparison} runs it; the HTML page is
 * {@code cli.report.ComparisonPage}.
 */
@NullMarked
package dev.convlens.cli.compare;

import org.jspecify.annotations.NullMarked;
