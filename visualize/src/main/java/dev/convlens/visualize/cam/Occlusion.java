package dev.convlens.visualize.cam;

import dev.convlens.bridge.FloatTensor;

/**
 * Occlusion sensitivity of one image (Zeiler and Fergus 2014): {@code map [H, W]} holds, at each
 * pixel, the mean over the patches covering it of {@code probability - p(occluded)}, where the
 * score is the class's output probability (Captum's {@code Occlusion} uses whatever the model
 * outputs). Positive: hiding the pixel lowers the class's probability. {@code occluded} is the number
 * of occluded images the model saw.
 */
public record Occlusion(FloatTensor map, int classIndex, float probability, int patch, int stride, int occluded) {}
