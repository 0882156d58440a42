/**
 * convlens tf-bridge: Keras models rebuilt as TensorFlow Java graphs from Java ops.
 *
 * <p>{@link dev.convlens.bridge.KerasModel} is the entry point: load any Keras file, then predict,
 * fetch layer activations, print the summary or export a SavedModel. Values cross the API as
 * {@link dev.convlens.bridge.FloatArray}; errors are unchecked {@link dev.convlens.bridge.ConvlensException}s.
 * Sub-packages: {@code keras} (file formats and configs), {@code graph} (layer builders),
 * {@code applications} (VGG16, MobileNet, Keras cache), {@code image} (load_img, preprocess_input,
 * labels), {@code io} (.npy), {@code export} (SavedModel). This package may depend on all of them;
 * they depend only on this package's value and exception types.
 */
package dev.convlens.bridge;
