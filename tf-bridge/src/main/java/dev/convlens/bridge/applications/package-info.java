/**
 * Keras Applications as data: the model configs Keras would write for {@link
 * dev.convlens.bridge.applications.Vgg16} and {@link dev.convlens.bridge.applications.MobileNet}
 * (v1), and where their official weight files live ({@link
 * dev.convlens.bridge.applications.WeightFile}, {@link dev.convlens.bridge.applications.KerasCache}).
 *
 * <p>A config is the JSON of Keras 2 {@code Functional.to_json()} ({@code {"class_name":
 * "Functional", "config": {name, layers, input_layers, output_layers}}}) as JSON text (built with
 * Jackson inside), with the layer configs of tf.keras 2.x; the top-level {@code keras_version} and
 * {@code backend} keys are left out. Nothing here builds TensorFlow graphs or reads weights: the
 * keras package's loader turns a config plus a weight file into a graph.
 *
 * <p>May depend on {@code dev.convlens.bridge} (exceptions), Jackson, log4j-api and the JDK's HTTP
 * client; nothing else in convlens depends on TF here. Downloads happen only when a caller opts in.
 */
@NullMarked
package dev.convlens.bridge.applications;

import org.jspecify.annotations.NullMarked;
