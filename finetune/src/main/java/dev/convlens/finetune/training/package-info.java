/**
 * Transfer learning on a loaded Keras base: {@link dev.convlens.finetune.training.Classifier}
 * (base + {@link dev.convlens.finetune.training.Head} as one Keras Functional model), {@link
 * dev.convlens.finetune.training.Trainable} selections, {@link dev.convlens.finetune.training.Phase}s
 * with Keras-exact {@link dev.convlens.finetune.training.Optimizer}s, feature extraction through a
 * cache of the frozen prefix, early stopping, {@link dev.convlens.finetune.training.History}
 * (JSON, CSV, PNG) and progress through a {@link dev.convlens.finetune.training.TrainingListener}.
 * Builds its ops into tf-bridge's {@code KerasModel} graph; reads data from {@code finetune.data}.
 */
package dev.convlens.finetune.training;
