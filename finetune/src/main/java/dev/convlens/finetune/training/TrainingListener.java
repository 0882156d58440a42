package dev.convlens.finetune.training;

/** Progress of training; called on the training thread, so keep it quick. */
@FunctionalInterface
public interface TrainingListener {
  TrainingListener NONE = e -> { };

  void onEvent(TrainingEvent event);
}
