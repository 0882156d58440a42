/**
 * Keras TF2 SavedModel directories read as a {@link dev.convlens.bridge.keras.KerasArtifact}:
 * the model config from {@code keras_metadata.pb} (a small Keras protobuf walked by field number)
 * and the layer weights from the {@code variables/} checkpoint (TF Java's {@code RestoreV2} op,
 * keys found through the checkpoint's {@code TrackableObjectGraph}).
 *
 * <p>Entry point: {@link dev.convlens.bridge.keras.savedmodel.KerasSavedModelReader}. May depend on
 * {@code dev.convlens.bridge}, {@code dev.convlens.bridge.keras}, TF Java (core API and its
 * bundled protos and protobuf-java) and Jackson; nothing here builds model graphs.
 */
@NullMarked
package dev.convlens.bridge.keras.savedmodel;

import org.jspecify.annotations.NullMarked;
