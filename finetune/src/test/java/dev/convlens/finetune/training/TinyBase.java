package dev.convlens.finetune.training;

import dev.convlens.bridge.KerasModel;
import dev.convlens.bridge.LoadOptions;
import dev.convlens.bridge.fixtures.FixtureBuilder;
import dev.convlens.bridge.fixtures.KerasModelFixture;

/** A small convolutional base for tests: conv, batch norm, conv, max pool on RGB images. */
final class TinyBase {
  private TinyBase() {}

  static KerasModel load(int size) {
    KerasModelFixture f = FixtureBuilder.functional("tiny")
        .input("in", size, size, 3)
        .conv2d("c1", 4, 3, "same", "relu").batchNorm("bn1")
        .conv2d("c2", 6, 3, "same", "relu").maxPool("p1", 2)
        .build();
    return KerasModel.fromConfig(f.modelConfig().toString(), f.weightSource(), LoadOptions.defaults());
  }
}
