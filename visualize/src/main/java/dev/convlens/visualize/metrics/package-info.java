/**
 * Which attribution method to trust on a given model and data: faithfulness metrics that perturb
 * the image in the order a map gives and watch the class probability (deletion and insertion
 * curves with their AUC, ROAD with noisy linear imputation, average drop and increase in
 * confidence), the pointing game against a box or mask, the model-randomization sanity check, and
 * the intervals ({@code Intervals}: bootstrap of a mean, Wilson score of a proportion) to compare
 * methods over many images.
 *
 * <p>Every metric takes a single-input, single-output classifier, one preprocessed image
 * {@code [H, W, C]} in the model's input space, a class index and a map {@code [h, w]} of any
 * resolution (resized bilinearly to {@code H x W}); the score is the model output for the class,
 * what {@code model.predict} gives. Perturbed images go through the graph in batches, checking a
 * {@code Cancellation} before every run. All calls are static, thread-safe and return immutable results.
 *
 * <p>Public: DeletionInsertion, Curve, CurveOptions, Substrate, Road, RoadOptions, RoadCurve,
 * ConfidenceChange, PointingGame, Box, RandomizationCheck, RandomizationOptions,
 * RandomizationResult, MapFunction, Intervals, Interval. Depends on tf-bridge's KerasModel and its
 * SPI (runs, variables), and on Commons Math (conjugate gradient, Spearman, Wilson).
 */
@NullMarked
package dev.convlens.visualize.metrics;

import org.jspecify.annotations.NullMarked;
