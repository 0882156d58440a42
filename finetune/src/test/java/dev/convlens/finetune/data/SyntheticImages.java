package dev.convlens.finetune.data;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import javax.imageio.ImageIO;

/**
 * Writes small labelled image folders for tests: class {@code i} of {@code n} is bright in the
 * {@code i}-th vertical stripe of the image and dark elsewhere, plus seeded noise, so a small
 * convnet separates the classes in a few steps.
 */
public final class SyntheticImages {
  private SyntheticImages() {}

  /** {@code perClass} PNGs of {@code size}x{@code size} under {@code dir/<class>/}; returns {@code dir}. */
  public static Path write(Path dir, List<String> classes, int perClass, int size, long seed) throws IOException {
    Random r = new Random(seed);
    for (int c = 0; c < classes.size(); c++) {
      Path classDir = Files.createDirectories(dir.resolve(classes.get(c)));
      for (int k = 0; k < perClass; k++) {
        BufferedImage img = new BufferedImage(size, size, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < size; y++) {
          for (int x = 0; x < size; x++) {
            boolean bright = x * classes.size() / size == c;
            int base = bright ? 200 : 40;
            int red = clamp(base + r.nextInt(41) - 20);
            int green = clamp(base / 2 + r.nextInt(41) - 20);
            int blue = clamp(255 - base + r.nextInt(41) - 20);
            img.setRGB(x, y, (red << 16) | (green << 8) | blue);
          }
        }
        ImageIO.write(img, "png", classDir.resolve(String.format("img_%03d.png", k)).toFile());
      }
    }
    return dir;
  }

  private static int clamp(int v) {
    return Math.max(0, Math.min(255, v));
  }
}
