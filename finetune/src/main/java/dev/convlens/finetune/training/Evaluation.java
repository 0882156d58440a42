package dev.convlens.finetune.training;

/** Loss and accuracy of a model on a dataset (inference mode), as Keras' {@code evaluate} reports them. */
public record Evaluation(double loss, double accuracy, int samples) {}
