package dev.convlens.bridge.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convlens.bridge.FloatTensor;
import dev.convlens.bridge.InvalidInputException;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Images that arrive as bytes or streams (request bodies), class-name files and model cards. */
class InMemoryImagesTest {
  @TempDir Path tmp;

  private Path png() throws IOException {
    BufferedImage img = new BufferedImage(30, 20, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = img.createGraphics();
    g.setColor(Color.ORANGE);
    g.fillRect(5, 5, 10, 8);
    g.dispose();
    Path file = tmp.resolve("a.png");
    ImageIO.write(img, "png", file.toFile());
    return file;
  }

  @Test
  void bytesAndStreamsDecodeLikeTheFile() throws IOException {
    Path file = png();
    byte[] bytes = Files.readAllBytes(file);
    FloatTensor fromFile = KerasImages.loadImg(file, 16, 16);
    BufferedImage decoded = KerasImages.decodeImage(bytes, ImageLimits.defaults(), 12);
    assertArrayEquals(fromFile.data(), KerasImages.fromBufferedImage(decoded, 16, 16, ColorMode.RGB).data());
    assertArrayEquals(bytes, KerasImages.readBytes(new ByteArrayInputStream(bytes), ImageLimits.defaults()));
    BufferedImage read = KerasImages.readImage(file, ImageLimits.defaults(), 12);
    assertEquals(30, read.getWidth());
  }

  @Test
  void inMemoryImagesKeepTheLimits() throws IOException {
    byte[] bytes = Files.readAllBytes(png());
    ImageLimits small = ImageLimits.defaults().withMaxBytes(bytes.length - 1);
    ImageReadException tooLarge = assertThrows(ImageReadException.class,
        () -> KerasImages.decodeImage(bytes, small, 12));
    assertTrue(tooLarge.getMessage().contains("ImageLimits.maxBytes"), tooLarge.getMessage());
    assertNull(tooLarge.source(), "no file to name");
    // a stream that never ends is cut off at the cap
    InputStream endless = new InputStream() {
      @Override
      public int read() {
        return 7;
      }
    };
    ImageReadException cut = assertThrows(ImageReadException.class,
        () -> KerasImages.readBytes(endless, ImageLimits.defaults().withMaxBytes(1 << 20)));
    assertTrue(cut.getMessage().contains("longer than the limit of 1048576"), cut.getMessage());
    ImageLimits fewPixels = ImageLimits.defaults().withMaxPixels(30 * 20 - 1);
    assertThrows(ImageReadException.class, () -> KerasImages.decodeImage(bytes, fewPixels, 12));
    assertThrows(ImageReadException.class, () -> KerasImages.decodeImage(new byte[0], ImageLimits.defaults(), 12));
  }

  @Test
  void classNamesFromALabelsFile() throws IOException {
    Path labels = tmp.resolve("labels.txt");
    Files.write(labels, List.of("cat", "", "  dog  ", "Hot dog"));
    ClassNames names = ClassNames.read(labels);
    assertEquals(List.of("cat", "dog", "Hot dog"), names.labels());
    assertEquals(1, names.indexOf("dog"));
    assertEquals(2, names.indexOf("hot DOG"));
    assertEquals(-1, names.indexOf("bird"));
    assertEquals(-1, names.indexOf(""), "an empty name matches no class, though plain classes have empty ids");
    Files.write(labels, List.of("", " "));
    assertThrows(InvalidInputException.class, () -> ClassNames.read(labels));
    assertThrows(InvalidInputException.class, () -> ClassNames.read(tmp.resolve("missing.txt")));
  }

  @Test
  void modelCardRoundTripAndLookup() throws IOException {
    Path out = Files.createDirectories(tmp.resolve("run"));
    Path savedModel = Files.createDirectories(out.resolve("savedmodel"));
    new ModelCard("mobilenet", Preprocessing.TF, "binary", List.of("cats", "dogs"), 128, 160).writeTo(out);
    ModelCard read = ModelCard.beside(savedModel).orElseThrow();
    assertEquals(new ModelCard("mobilenet", Preprocessing.TF, "binary", List.of("cats", "dogs"), 128, 160), read);
    assertEquals(read, ModelCard.beside(out.resolve("model.h5")).orElseThrow(), "beside a file: in its folder");
    assertEquals(List.of("cats", "dogs"), read.classNames().orElseThrow().labels());
    assertTrue(ModelCard.beside(tmp.resolve("elsewhere.h5")).isEmpty());
    // cards written before preprocessing was recorded read as none
    Files.writeString(out.resolve(ModelCard.FILE_NAME), "{\"base\": \"vgg16\"}");
    assertEquals(Preprocessing.NONE, ModelCard.beside(savedModel).orElseThrow().preprocessing());
    Files.writeString(out.resolve(ModelCard.FILE_NAME), "[1, 2]");
    assertThrows(InvalidInputException.class, () -> ModelCard.beside(savedModel));
  }
}
