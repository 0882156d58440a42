/**
 * Input-space attribution: which input values move the class logit. {@link
 * dev.convlens.visualize.attribution.InputAttribution} gives vanilla saliency (the largest
 * {@code |d logit / d x|} over channels, Simonyan et al. 2013) and Integrated Gradients
 * (Sundararajan et al. 2017, trapezoidal rule as the keras.io example). Both explain the
 * pre-activation logit of one class; the gradient op is a model extension (built once per model
 * and freed with it), and the interpolation points of Integrated Gradients are batched.
 *
 * <p>Public: InputAttribution, AttributionOptions, Saliency, IntegratedGradients. Depends on
 * tf-bridge's KerasModel and its SPI ({@code ModelGraph}: extensions and runs).
 */
@NullMarked
package dev.convlens.visualize.attribution;

import org.jspecify.annotations.NullMarked;
