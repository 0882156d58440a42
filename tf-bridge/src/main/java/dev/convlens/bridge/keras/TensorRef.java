package dev.convlens.bridge.keras;

/** A reference to the {@code tensor}-th output of the {@code node}-th call of a layer, as Keras configs write it. */
public record TensorRef(String layer, int node, int tensor) {}
