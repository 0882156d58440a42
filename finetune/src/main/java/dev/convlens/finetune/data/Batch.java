package dev.convlens.finetune.data;

import dev.convlens.bridge.FloatArray;

/**
 * One batch: preprocessed images {@code [n, H, W, C]}, labels {@code [n, width]} and the dataset
 * indices of its samples (so that cached per-sample values can be looked up).
 */
public record Batch(FloatArray images, FloatArray labels, int[] indices) {
  public int size() {
    return indices.length;
  }
}
