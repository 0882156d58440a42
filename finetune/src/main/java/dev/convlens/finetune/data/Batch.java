package dev.convlens.finetune.data;

import dev.convlens.bridge.FloatTensor;

/**
 * One batch: preprocessed images {@code [n, H, W, C]}, labels {@code [n, width]} and the dataset
 * indices of its samples (so that cached per-sample values can be looked up).
 */
public record Batch(FloatTensor images, FloatTensor labels, int[] indices) {
  public int size() {
    return indices.length;
  }
}
