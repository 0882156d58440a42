package dev.convlens.visualize.cam;

import dev.convlens.bridge.FloatTensor;

/**
 * SmoothGrad of one image (Smilkov et al. 2017): {@code gradient [H, W, C]} is the mean of
 * {@code d logit / d x} at {@code samples} copies of the image with Gaussian noise of standard
 * deviation {@code sigma} added; {@code map [H, W]} its largest absolute value over the channels, as
 * {@link Saliency}'s, and {@code scaled} that map min-max scaled to [0, 1]. {@code classIndex} and
 * {@code logit} are the explained class and its logit at the noise-free image.
 */
public record SmoothGrad(FloatTensor gradient, FloatTensor map, FloatTensor scaled, int classIndex, float logit,
    int samples, double sigma) {}
