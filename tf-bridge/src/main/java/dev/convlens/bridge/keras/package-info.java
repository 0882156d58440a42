/**
 * Keras file formats and model configs: content-based format detection ({@link
 * dev.convlens.bridge.keras.KerasFiles}), config dialects normalised to one {@link
 * dev.convlens.bridge.keras.ModelSpec}, and {@link dev.convlens.bridge.keras.WeightSource}s for the
 * HDF5 and {@code .keras} layouts ({@code savedmodel} holds the Keras SavedModel reader). No
 * TensorFlow graph code lives here.
 */
@NullMarked
package dev.convlens.bridge.keras;

import org.jspecify.annotations.NullMarked;
