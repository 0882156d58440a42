/**
 * Transfer learning on a loaded Keras base: {@link dev.convlens.finetune.training.Classifier}
 * (base + {@link dev.convlens.finetune.training.Head} as one Keras Functional model), {@link
 * dev.convlens.finetune.training.Trainable} selections, {@link dev.convlens.finetune.training.Phase}s
 * with Keras-exact {@link dev.convlens.finetune.training.Optimizer}s, feature extraction through a
 * cache of the frozen prefix, early stopping, {@link dev.convlens.finetune.training.History}
 * (JSON, CSV, PNG) and progress through a {@link dev.convlens.finetune.training.TrainingListener}.
 *
 * <p>Public types: {@code Classifier}, {@code Head}, {@code Trainable}, {@code Phase}, {@code Optimizer},
 * {@code EarlyStopping}, {@code History}, {@code EpochMetrics}, {@code Evaluation}, {@code TrainingEvent},
 * {@code TrainingListener}; everything else is package-private.
 *
 * <p>Reaches the model only through tf-bridge's public API and its SPI ({@code KerasModel.graph()}):
 * the classifier's ops and each (trainable variables, optimizer) pair's gradient and update ops are
 * model extensions, built once and freed with the model; every session run goes through the
 * model's run builder. Layer knowledge comes from the layer registry's traits. Losses are
 * tensorflow-framework's (Keras 2's formulas); the optimizers are written out here. Reads data from
 * {@code finetune.data}.
 */
@NullMarked
package dev.convlens.finetune.training;

import org.jspecify.annotations.NullMarked;
