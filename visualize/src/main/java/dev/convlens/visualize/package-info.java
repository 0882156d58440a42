/**
 * convlens visualize: what a convnet sees. This package: {@code ImageClassifier}, the one object a
 * service holds (a model with its preprocessing and class names: predict, explain, activations),
 * with {@code InputImage}, {@code BuiltIn}, {@code ClassifierOptions}, {@code ExplainOptions} and
 * {@code Explanation}. Below it, the parts it is made of: {@code activations} (layer outputs as grids and
 * statistics), {@code filters} (gradient ascent in input space), {@code cam} (Grad-CAM and
 * friends, and the input-space saliency and Integrated Gradients, which share their class scores),
 * {@code render} (colormaps, grids, image files).
 *
 * <p>Public types: {@code activations}: Activations, LayerActivations, LayerOutput, LayerStats,
 * ActivationGrids, ActivationGrid, GridOptions, ActivationProgress; {@code filters}:
 * FilterVisualizer, FilterOptions, FilterResult, FilterProgress, FilterListener, FilterGrid;
 * {@code cam}: CamExplainer, CamOptions, CamMethod, CamListener, CamProgress, Heatmap, Overlay, GuidedBackprop,
 * InputAttribution, AttributionOptions, Saliency, IntegratedGradients;
 * {@code render}: Colormap, Grid, Images. Everything else is package-private.
 *
 * <p>All build on tf-bridge's public API ({@code KerasModel}, {@code FloatTensor}, {@code LayerInfo}
 * and its {@code LayerTrait}s, the exceptions) and reach a model's graph only through its SPI,
 * {@code KerasModel.graph()} ({@code dev.convlens.bridge.spi}): the ops they add (gradients,
 * scores) are model extensions, built once per model and key under the model's write lock and
 * freed with the model; no static cache refers to a model. Adding ops stalls the runs in flight,
 * so services create their explainers and visualizers before serving. After {@code close()}
 * every entry point throws {@code ModelClosedException}.
 */
@NullMarked
package dev.convlens.visualize;

import org.jspecify.annotations.NullMarked;
