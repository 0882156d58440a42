/**
 * The embedded demo model: {@link dev.convlens.cli.demo.Shapes}, a seeded generator of shape images
 * with their boxes (Java2D only), and {@link dev.convlens.cli.demo.DemoModel}, the small convnet
 * trained on it with the finetune module and exported to {@code saved_models/shapes}, with the
 * held-out measures (accuracy, Grad-CAM maximum inside the box) its test checks.
 */
@NullMarked
package dev.convlens.cli.demo;

import org.jspecify.annotations.NullMarked;
