package dev.convlens.visualize.cam;

import dev.convlens.bridge.FloatTensor;

/**
 * Vanilla saliency of one image: {@code map [H, W]} is the largest {@code |d logit / d x|} over the
 * input channels, {@code scaled} the same map min-max scaled to [0, 1] (all zeros when flat);
 * {@code classIndex} is the explained class and {@code logit} its pre-activation score.
 */
public record Saliency(FloatTensor map, FloatTensor scaled, int classIndex, float logit) {}
