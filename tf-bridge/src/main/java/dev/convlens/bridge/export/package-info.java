/**
 * Writers of a loaded model: convlens' SavedModel (a standard SavedModel with {@code
 * serving_default} and {@code activations} signatures plus a manifest that lets the loader rebuild
 * the Java-op graph; {@code keras.savedmodel.ConvlensExport} reads it back) and the Keras 2
 * full-model {@code .h5}. Each writes what {@code KerasModel} hands it (its {@code spi.ModelGraph},
 * and the session for the SavedModel exporter) and never depends on {@code KerasModel} itself.
 */
@NullMarked
package dev.convlens.bridge.export;

import org.jspecify.annotations.NullMarked;
