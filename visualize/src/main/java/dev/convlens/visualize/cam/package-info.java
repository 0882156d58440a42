/**
 * Class activation maps: which parts of an image led the network to a class. One shared piece
 * ({@link dev.convlens.visualize.cam.CamExplainer} with its package-private {@code CamOps}) owns the
 * target layer, the TF ops (a model extension: built once per model, layer and score kind when the
 * first explainer is created, then reused, and freed with the model) and the resizing; each method
 * (Grad-CAM as in the book and as in the Keras example, Grad-CAM++, LayerCAM, HiResCAM, XGrad-CAM,
 * Eigen-CAM, Score-CAM) is a short
 * class that only says how activations and gradients become a map. {@code TargetLayers} picks the
 * default layer from the layer registry's traits (not pooling, pass-through or nested model).
 * {@link dev.convlens.visualize.cam.GuidedBackprop} chains the guided backward pass layer by layer
 * ({@code GuidedChain}; one extension per model); {@link dev.convlens.visualize.cam.Overlay} colors a
 * map and lays it over the photo.
 * {@link dev.convlens.visualize.cam.InputAttribution} explains the same class logits in input space
 * (vanilla saliency, SmoothGrad and Integrated Gradients with batched samples and steps; occlusion
 * scored on the model output, {@code PatchOcclusion}) with the same score ops
 * ({@code CamOps.Scoring}, {@code TargetLayers.logitsLayer}), differentiated at the input.
 *
 * <p>Public: CamExplainer, CamOptions, CamMethod, CamListener, CamProgress, Heatmap, Overlay, GuidedBackprop,
 * InputAttribution, AttributionOptions, Saliency, IntegratedGradients, SmoothGrad, Occlusion.
 * Depends on tf-bridge's KerasModel and its SPI ({@code ModelGraph}: extensions and runs) and on
 * {@code visualize.render}.
 */
@NullMarked
package dev.convlens.visualize.cam;

import org.jspecify.annotations.NullMarked;
