/**
 * Filter visualization by gradient ascent in input space: the picture each filter of a
 * convolutional layer responds to most (the book's listings 5.38 and 5.39).
 *
 * <p>{@link dev.convlens.visualize.filters.FilterVisualizer} holds a (model, layer) and runs
 * {@link dev.convlens.visualize.filters.FilterOptions}; results are immutable
 * {@link dev.convlens.visualize.filters.FilterResult}s (the optimized input, the loss before every
 * step, the deprocessed picture), progress goes to a
 * {@link dev.convlens.visualize.filters.FilterListener}, and
 * {@link dev.convlens.visualize.filters.FilterGrid} lays the pictures out as the book does.
 *
 * <p>With {@code FilterOptions.defaults()} the algorithm is the book's, exactly: start from
 * {@code random(1, size, size, 3) * 20 + 128} (raw pixel values, no preprocessing; seeded), loss =
 * mean of the filter's output over batch, height and width, gradient of the loss wrt the input
 * from the TF graph, divided by {@code sqrt(mean(g^2)) + 1e-5}, {@code x += g * 1.0}, 40 steps;
 * deprocess {@code x -= mean; x /= (std + 1e-5); x *= 0.1; x += 0.5; clip 0..1; x *= 255}, truncated
 * to uint8. Many filters are optimized in one batch (image i for filter i), with the same result
 * as one at a time.
 *
 * <p>Regularizers, all off by default. The raw ascent on a network trained on photos tends to give
 * high-frequency, saturated, grainy patterns that are hard to read; each option removes part of that:
 * <ul>
 *   <li><b>jitter</b> (pixels): the image is shifted by a random offset before each step and the
 *       gradient shifted back. Patterns that only work at one exact pixel alignment cancel out, so
 *       the picture loses its checkerboard-like grain and keeps the shift-tolerant texture.</li>
 *   <li><b>totalVariation</b> (weight): penalizes differences between neighbouring pixels. Flat
 *       areas become smooth and noise disappears; too much washes the pattern out into blobs.</li>
 *   <li><b>l2</b> (weight): pulls every pixel toward the start gray. Stops a few pixels from running
 *       off to extreme values, so the deprocessed picture (scaled by its standard deviation) shows
 *       the whole pattern in mid contrast instead of a few saturated dots.</li>
 *   <li><b>blurSigma</b> (pixels): the gradient is blurred before each step, so each update is smooth
 *       and the image builds up from low frequencies; strokes get softer and wider.</li>
 *   <li><b>octaves</b> / <b>octaveScale</b>: the image is first optimized at a small size (upsampled
 *       to the model input), then enlarged step by step. Coarse structure forms first and finer
 *       detail is added on top: larger, more coherent motifs instead of pixel-level texture.
 *       The loss list then has {@code steps * octaves} entries.</li>
 * </ul>
 * {@code FilterOptions.defaults().readable()} turns all of them on with moderate values (and
 * epsilon 1e-12, below).
 *
 * <p>Two more options, also off by default. {@code epsilon}: the book's {@code + 1e-5} assumes
 * gradients well above 1e-5, as for VGG16 on 0..255 inputs; a model that rescales its input
 * (x/255, e.g. the cats-vs-dogs convnet at 180x180) has raw gradient RMS far below it, and the
 * book's steps then barely move the image, so every tile stays start noise; 1e-12 fixes that.
 * {@code preActivation}: a ReLU filter that is zero everywhere on the gray start has zero gradient
 * and stays noise (common in the first layers of trained models); before the ReLU it still moves.
 * For a linear first layer the mean pre-activation is linear in the input, so its gradient is
 * the kernel's per-channel sum: the picture becomes a flat color.
 *
 * <p>Example (cats-vs-dogs convnet, {@code conv2d_9}, {@code convlens filters ... --epsilon 1e-12}
 * vs {@code --readable}): with the plain ascent the responding filters show flat colors and fine
 * oriented stripes at pixel scale; with the preset the same filters show wider, smoother stripes
 * and blob-shaped motifs, while dead filters stay (blurred) noise either way.
 *
 * <p><b>Feature visualization</b> (Lucid's {@code render}, for pictures a person can read on any
 * model): {@link dev.convlens.visualize.filters.FeatureVisualizer} maximizes an
 * {@link dev.convlens.visualize.filters.Objective} (channel, neuron, direction, DeepDream layer, class
 * logit, batch diversity, total variation, L2; composed with weights, {@code channel - 0.1 * tv}) by
 * Adam on a {@link dev.convlens.visualize.filters.Parameterization} of the picture (pixels, or Lucid's
 * 1/frequency-scaled Fourier spectrum with decorrelated colours, through a sigmoid), with random
 * {@link dev.convlens.visualize.filters.Transforms} (shift, scale, rotation) before the model at every
 * step. The picture, the transforms and the objective are graph ops: the model's input is a
 * placeholder, so each step is three runs (parameters to model input; the objective's value and input
 * gradient; that gradient back to the parameters), with Adam in Java. Objectives of one shape share a
 * batch (whole-layer mode) and channels, positions, directions and weights are fed. A start whose model
 * terms have zero value and zero gradient is a dead channel: larger noise and the retry pictures are
 * tried, then it is reported dead instead of returned as noise. {@code FeatureOptions.defaults()} is the
 * readable preset; {@code pixelSpace()} the same optimizer on plain pixels without transforms.
 *
 * <p><b>Quality, measured</b> ({@link dev.convlens.visualize.filters.ChannelMaxima},
 * {@link dev.convlens.visualize.filters.FeatureQuality},
 * {@link dev.convlens.visualize.filters.QualityOptions}): the activation of channel c on an image is the
 * mean over height and width of c in the layer's output. (a) activationRatio: that activation over the
 * channel's maximum over a reference dataset (1 = as strong as the most exciting real image);
 * (b) robustness: the mean share of the activation kept under 8 seeded random moves
 * ({@code Transforms.standard()}; 1 = all); (c) selectivity: the channel's ratio over the mean ratio of
 * the layer's other channels that ever fired on the dataset. Never NaN: a non-positive denominator gives
 * +Infinity for a positive numerator, else 0. Measured by forward runs fetching the layer output.
 *
 * <p>Public: FilterVisualizer, FilterOptions, FilterResult, FilterProgress, FilterListener,
 * FilterGrid; FeatureVisualizer, FeatureOptions, FeatureResult, Objective, Parameterization,
 * Transforms; ChannelMaxima, FeatureQuality, QualityOptions. Progress of both visualizers goes to a
 * FilterListener. The gradient ops ({@code LayerGradient}) are a model extension per (layer, activation
 * side), built when a visualizer is created (or by {@code prepare} for pre-activation options)
 * and freed with the model; so are feature visualization's {@code ImageGraph} (per parameterization,
 * size, transforms and colour mapping) and {@code ObjectiveGraph} (per objective shape), built on first
 * use or by {@code FeatureVisualizer.prepare}. Depends on tf-bridge's {@code KerasModel} and its SPI
 * ({@code ModelGraph}: extensions and runs) and on {@code render}.
 */
@NullMarked
package dev.convlens.visualize.filters;

import org.jspecify.annotations.NullMarked;
