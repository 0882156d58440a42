package dev.convlens.finetune.data;

/** How class indices become label arrays, as Keras' {@code label_mode} / {@code class_mode}. */
public enum LabelMode {
  /** Exactly two classes; labels {@code [N, 1]} holding 0 or 1 (for a sigmoid output). */
  BINARY,
  /** One-hot labels {@code [N, classes]} (for a softmax output). */
  CATEGORICAL;

  /** The label width for {@code classes} classes. */
  public int width(int classes) {
    return this == BINARY ? 1 : classes;
  }
}
