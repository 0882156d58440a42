/**
 * convlens tf-bridge: Keras models rebuilt as TensorFlow Java graphs from Java ops.
 *
 * <p>{@link dev.convlens.bridge.KerasModel} is the entry point: load any Keras file, then predict,
 * fetch layer activations, print the summary, export a SavedModel or a Keras 2 {@code .h5}. A loaded
 * model owns its graph and session and never hands them out: runs share a read lock, graph
 * extensions (built once, through {@code spi}) take the write lock, and after {@code close()} every
 * call throws {@link dev.convlens.bridge.ModelClosedException}. Values cross the API as
 * {@link dev.convlens.bridge.FloatTensor}; errors are unchecked {@link dev.convlens.bridge.ConvlensException}s.
 *
 * <p>Public types a user touches: {@code KerasModel}, {@code LoadOptions}, {@code LoadLimits}, {@code SessionOptions},
 * {@code FloatTensor}, {@code LayerInfo}, {@code LayerTrait}, the exceptions ({@code
 * ConvlensException}, {@code ModelFormatException}, {@code UnsupportedLayerException}, {@code
 * InvalidInputException}, {@code ModelClosedException}, {@code CancelledException}, {@code
 * image.ImageReadException}), {@code Cancellation} (deadlines and cancel tokens for long calls), {@code
 * image.KerasImages}, {@code image.Preprocessing}, {@code image.ClassNames}, {@code
 * image.ImageNetLabels}, {@code io.Npy}, and the built-in architectures {@code applications.Vgg16},
 * {@code applications.MobileNet} with {@code applications.KerasCache}. Custom layers:
 * {@code graph.LayerBuilder} (with {@code graph.LayerContext}, {@code graph.LayerOutput}) registered
 * through {@code graph.LayerRegistry.register} or {@code LoadOptions.withLayer}.
 *
 * <p>Sub-packages: {@code keras} (file formats and configs), {@code graph} (layer builders and the
 * registry), {@code spi} (the door for convlens modules), {@code applications}, {@code image},
 * {@code io}, {@code export} (SavedModel and {@code .h5} writers). This package may depend on all of
 * them; they depend only on its value and exception types, {@code export} never on {@code KerasModel}
 * and {@code keras} never on {@code graph}, {@code spi} or {@code export} ({@code ArchitectureTest}).
 */
@NullMarked
package dev.convlens.bridge;

import org.jspecify.annotations.NullMarked;
