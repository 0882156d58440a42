/**
 * Attribution: which parts of an image led the network to a class (or any {@link
 * dev.convlens.visualize.cam.Target}: a class by probability or logit, several classes, a unit, a
 * dense output's region, an embedding's similarity), given per call and per image.
 *
 * <p>What is differentiated is one piece: {@code TargetOps} builds every row's target score in the
 * graph, {@code RowTargets} feeds it (and scores perturbed inputs in Java with the same formula).
 * Class activation maps: {@link dev.convlens.visualize.cam.CamExplainer} with its package-private
 * {@code CamOps} owns the target layer and the TF ops (a model extension: built once per model,
 * layer, output and embedding when the first explainer is created, then reused, and freed with the
 * model); each method (Grad-CAM as the paper and as the book, Grad-CAM++, LayerCAM, HiResCAM,
 * XGrad-CAM, Eigen-CAM, EigenGrad-CAM, Score-CAM, Faster-Score-CAM, Ablation-CAM) is a short class
 * that only says how activations and gradients become a map; a user's own method is a {@link
 * dev.convlens.visualize.cam.CustomCam}. {@code ScoreCamMasks} and {@code AblationRuns} batch the
 * extra forward runs; {@code AugSmooth} and {@code CamAlgorithm.eigenSmoothedMap} are
 * pytorch-grad-cam's two smoothings. {@code TargetLayers} picks the default layer from the layer registry's traits.
 * In input space: {@link dev.convlens.visualize.cam.InputAttribution} (saliency, SmoothGrad and
 * Integrated Gradients with batched samples and steps, occlusion in {@code PatchOcclusion}) and
 * {@link dev.convlens.visualize.cam.GuidedBackprop}, whose backward pass {@code GuidedChain} builds
 * layer by layer. {@link dev.convlens.visualize.cam.Attributor} runs any {@link
 * dev.convlens.visualize.cam.AttributionMethod} and gives its maps as {@link
 * dev.convlens.visualize.cam.Heatmap}s; {@link dev.convlens.visualize.cam.Overlay} lays one over the photo.
 *
 * <p>Public: Target, AttributionMethod, CamMethod, CustomCam, InputMethod, Attributor, CamExplainer,
 * CamOptions, CamListener, CamProgress, Heatmap, Overlay, GuidedBackprop, InputAttribution,
 * AttributionOptions, Saliency, SmoothGrad, IntegratedGradients, Occlusion. Depends on tf-bridge's
 * KerasModel and its SPI ({@code ModelGraph}: extensions and runs) and on {@code visualize.render}.
 */
@NullMarked
package dev.convlens.visualize.cam;

import org.jspecify.annotations.NullMarked;
