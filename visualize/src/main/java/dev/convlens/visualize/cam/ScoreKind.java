package dev.convlens.visualize.cam;

/** Which class score a CAM method differentiates. */
enum ScoreKind {
  /** The model's output for the class: a softmax or sigmoid probability (the book). */
  PROBABILITY,
  /** The class score before the final softmax or sigmoid (the Keras example, Grad-CAM++, LayerCAM). */
  LOGIT,
  /** No gradients: the method scores masked inputs (Score-CAM) or uses the activations alone (Eigen-CAM). */
  NONE
}
