package dev.convlens.visualize.cam;

import dev.convlens.bridge.FloatTensor;

/**
 * Vanilla saliency of one image: {@code map [H, W]} is the largest {@code |d score / d x|} over the
 * input channels, {@code scaled} the same map min-max scaled to [0, 1] (all zeros when flat);
 * {@code target} is what was explained (the top class resolved), {@code classIndex} its class (-1
 * when it is not one class) and {@code score} its score at the image (a class's logit by default).
 */
public record Saliency(FloatTensor map, FloatTensor scaled, int classIndex, float score, Target target) {}
