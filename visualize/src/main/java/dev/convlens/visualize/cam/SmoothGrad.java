package dev.convlens.visualize.cam;

import dev.convlens.bridge.FloatTensor;

/**
 * SmoothGrad of one image (Smilkov et al. 2017): {@code gradient [H, W, C]} is the mean of
 * {@code d score / d x} at {@code samples} copies of the image with Gaussian noise of standard
 * deviation {@code sigma} added; {@code map [H, W]} its largest absolute value over the channels, as
 * {@link Saliency}'s, and {@code scaled} that map min-max scaled to [0, 1]. {@code target} is what was
 * explained (the top class resolved at the noise-free image), {@code classIndex} its class (-1 when it
 * is not one class) and {@code score} its score at the noise-free image (a class's logit by default).
 */
public record SmoothGrad(FloatTensor gradient, FloatTensor map, FloatTensor scaled, int classIndex, float score,
    Target target, int samples, double sigma) {}
