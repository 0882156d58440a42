package dev.convlens.bridge.applications;

/**
 * The {@code pooling} argument of the Keras applications, used only without the classifier top:
 * {@code NONE} keeps the 4-D output of the last convolutional block, {@code AVG} and {@code MAX}
 * append a global average / max pooling layer so the model outputs one vector per image.
 */
public enum Pooling {
  NONE,
  AVG,
  MAX
}
