/**
 * {@code convlens report}: one self-contained HTML page (relative PNGs beside it, no network) that
 * puts together the summary, predictions, Grad-CAM, activations and filters of the visualize module
 * for one model and image. The page's own script marks images that failed to load on
 * {@code <body data-broken-images>}, which the headless-browser test reads.
 */
@NullMarked
package dev.convlens.cli.report;

import org.jspecify.annotations.NullMarked;
