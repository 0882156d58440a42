package dev.convlens.visualize.cam;

import dev.convlens.bridge.FloatTensor;

/**
 * Occlusion sensitivity of one image (Zeiler and Fergus 2014): {@code map [H, W]} holds, at each
 * pixel, the mean over the patches covering it of {@code score - score(occluded)}, where the score is
 * the target's on the model output: a class's output probability by default (Captum's {@code
 * Occlusion} uses whatever the model outputs). Positive: hiding the pixel lowers the score.
 * {@code target} is what was explained (the top class resolved at the image), {@code classIndex} its
 * class (-1 when it is not one class), {@code occluded} the number of occluded images the model saw.
 */
public record Occlusion(FloatTensor map, int classIndex, float score, Target target, int patch, int stride,
    int occluded) {}
