package dev.convlens.finetune.training;

import org.jspecify.annotations.Nullable;

/** What a {@link TrainingListener} hears, in order: a phase starts, epochs run batch by batch, notes. */
public sealed interface TrainingEvent {
  /**
   * A phase begins.
   *
   * @param cutLayer the frozen layer whose cached outputs feed training, or null when every step
   *     runs the whole model
   */
  record PhaseStarted(String phase, int epochs, int trainableVariables, long trainableParameters, @Nullable String cutLayer)
      implements TrainingEvent {}

  /** Work before the first epoch: running the frozen prefix over {@code total} samples of a dataset. */
  record Caching(String phase, String dataset, int done, int total) implements TrainingEvent {}

  record EpochStarted(String phase, int epoch, int epochs, int steps) implements TrainingEvent {}

  /** After each training step: running means over the epoch so far. */
  record BatchDone(String phase, int epoch, int step, int steps, double loss, double accuracy) implements TrainingEvent {}

  record EpochDone(EpochMetrics metrics) implements TrainingEvent {}

  /** Something worth telling the user: early stop, best weights restored, cache not possible. */
  record Note(String message) implements TrainingEvent {}
}
