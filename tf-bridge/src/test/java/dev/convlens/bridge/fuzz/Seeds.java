package dev.convlens.bridge.fuzz;

import dev.convlens.bridge.FloatTensor;
import dev.convlens.bridge.KerasModel;
import dev.convlens.bridge.fixtures.ConfigDialect;
import dev.convlens.bridge.fixtures.FixtureModels;
import dev.convlens.bridge.fixtures.KerasFixtureFiles;
import dev.convlens.bridge.fixtures.KerasModelFixture;
import dev.convlens.bridge.io.Npy;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import javax.imageio.ImageIO;

/**
 * The valid files every mutation starts from: four fixture models (every classic layer type; a
 * small Sequential; a nested Keras 2.15 convnet; the decoder and preprocessing layers) in each
 * model format, and small images and arrays in each input format.
 */
final class Seeds {
  /** What a seed file is, which decides how a case reads it. */
  enum Kind { MODEL, MODEL_JSON_PLUS_WEIGHTS, IMAGE, NPY }

  /**
   * One valid input: {@code file} (a file or, for SavedModel exports, a directory), the weights file for
   * {@link Kind#MODEL_JSON_PLUS_WEIGHTS}, and the fixture it was written from (models only).
   */
  record Seed(String format, Kind kind, Path file, Path weights, KerasModelFixture fixture) {}

  private Seeds() {}

  static List<Seed> write(Path dir) {
    try {
      List<Seed> seeds = new ArrayList<>();
      int n = 0;
      for (KerasModelFixture f : List.of(FixtureModels.allLayerTypes(ConfigDialect.KERAS_2),
          FixtureModels.smallSequential(ConfigDialect.KERAS_2_0),
          FixtureModels.convnetWithAugmentation(ConfigDialect.KERAS_2_SAVING_V3),
          FixtureModels.decoderLayers(ConfigDialect.KERAS_2))) {
        Path d = Files.createDirectories(dir.resolve("model" + n++));
        Path h5 = KerasFixtureFiles.writeKeras2FullH5(f, d.resolve("model.h5"));
        seeds.add(new Seed("hdf5", Kind.MODEL, h5, null, f));
        seeds.add(new Seed("keras-zip", Kind.MODEL, KerasFixtureFiles.writeKerasZip(f, d.resolve("model.keras")), null, f));
        Path json = KerasFixtureFiles.writeModelJson(f, d.resolve("model.json"));
        Path weights = KerasFixtureFiles.writeWeightsOnlyH5(f, d.resolve("weights.h5"), false);
        seeds.add(new Seed("json+weights-h5", Kind.MODEL_JSON_PLUS_WEIGHTS, json, weights, f));
        Path export = d.resolve("savedmodel");
        try (KerasModel m = KerasModel.load(h5)) {
          m.exportSavedModel(export);
        }
        seeds.add(new Seed("savedmodel-export", Kind.MODEL, export, null, f));
      }
      SplittableRandom r = new SplittableRandom(5);
      BufferedImage image = new BufferedImage(24, 20, BufferedImage.TYPE_INT_RGB);
      for (int y = 0; y < image.getHeight(); y++) {
        for (int x = 0; x < image.getWidth(); x++) {
          image.setRGB(x, y, r.nextInt(1 << 24));
        }
      }
      for (String format : List.of("png", "jpeg", "bmp", "gif")) {
        Path f = dir.resolve("image." + format);
        if (!ImageIO.write(image, format, f.toFile())) {
          throw new IllegalStateException("no javax.imageio writer for " + format);
        }
        seeds.add(new Seed(format, Kind.IMAGE, f, null, null));
      }
      float[] values = new float[2 * 5 * 3];
      for (int i = 0; i < values.length; i++) {
        values[i] = (float) r.nextGaussian();
      }
      Path npy = dir.resolve("array.npy");
      Npy.write(npy, new FloatTensor(new long[] {2, 5, 3}, values));
      seeds.add(new Seed("npy", Kind.NPY, npy, null, null));
      return seeds;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
