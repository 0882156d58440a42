package dev.convlens.bridge.keras;

import dev.convlens.bridge.FloatTensor;

/** One stored weight of a layer: its name in the file (e.g. {@code kernel:0}) and its values. */
public record WeightArray(String name, FloatTensor value) {}
