package dev.convlens.visualize;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.convlens.bridge.Cancellation;
import dev.convlens.bridge.CancelledException;
import dev.convlens.bridge.FloatTensor;
import dev.convlens.bridge.InvalidInputException;
import dev.convlens.bridge.KerasModel;
import dev.convlens.bridge.ModelClosedException;
import dev.convlens.bridge.fixtures.SharedData;
import dev.convlens.bridge.image.ImageReadException;
import dev.convlens.bridge.image.KerasImages;
import dev.convlens.bridge.image.Prediction;
import dev.convlens.bridge.image.Preprocessing;
import dev.convlens.bridge.io.Npy;
import dev.convlens.visualize.activations.LayerActivations;
import dev.convlens.visualize.cam.CamMethod;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.IntStream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The high-level entry point on the demo model (in the repository) and the real ImageNet MobileNet (../shared). */
class ImageClassifierTest {
  private static final Path DEMO = Path.of("..", "saved_models", "shapes");

  @TempDir
  Path tmp;

  /** A filled triangle on a gray background, the demo model's kind of picture, at 96x80 (not its input size). */
  static BufferedImage triangle() {
    BufferedImage img = new BufferedImage(96, 80, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = img.createGraphics();
    g.setColor(new Color(120, 120, 120));
    g.fillRect(0, 0, 96, 80);
    g.setColor(new Color(220, 40, 40));
    g.fillPolygon(new int[] {20, 76, 48}, new int[] {66, 66, 14}, 3);
    g.dispose();
    return img;
  }

  @Test
  void demoModelLoadsWithItsCardAndLabels() {
    try (ImageClassifier c = ImageClassifier.load(DEMO)) {
      assertEquals(Preprocessing.NONE, c.preprocessing());
      assertEquals(List.of("circle", "cross", "square", "triangle"), c.classNames().labels());
      assertEquals(64, c.height());
      assertEquals(64, c.width());
      assertEquals("conv4", c.camLayers().get(c.camLayers().size() - 1));
    }
  }

  @Test
  void predictMatchesTheLowerLevelApiForEverySourceOfTheSameImage() throws IOException {
    Path png = tmp.resolve("triangle.png");
    ImageIO.write(triangle(), "png", png.toFile());
    byte[] bytes = Files.readAllBytes(png);
    try (ImageClassifier c = ImageClassifier.load(DEMO); KerasModel raw = KerasModel.load(DEMO)) {
      float[] expected = raw.predict(KerasImages.loadImg(png, 64, 64)).data();
      List<Prediction> top = c.predict(InputImage.of(png), 4);
      assertEquals(4, top.size());
      for (int i = 0; i < top.size(); i++) {
        Prediction p = top.get(i);
        assertEquals(expected[p.index()], p.score(), 0f, "score of " + p.label());
        assertEquals(c.classNames().label(p.index()), p.label());
        if (i > 0) {
          assertTrue(top.get(i - 1).score() >= p.score(), "best first");
        }
      }
      assertEquals(top, c.predict(InputImage.of(bytes), 4));
      assertEquals(top, c.predict(InputImage.of(new ByteArrayInputStream(bytes)), 4));
      assertEquals(top, c.predict(InputImage.of(triangle()), 4));
      assertEquals(4, c.predict(InputImage.of(png)).size(), "default top-5 capped at the class count");
    }
  }

  @Test
  void explainDrawsTheRequestedClassOverTheImageAtItsOwnSize() throws IOException {
    try (ImageClassifier c = ImageClassifier.load(DEMO)) {
      InputImage image = InputImage.of(triangle());
      Explanation top = c.explain(image);
      assertEquals(c.predict(image).get(0).index(), top.target().index(), "default: the top class");
      assertEquals("conv4", top.layer());
      Explanation square = c.explain(image, ExplainOptions.defaults().withClassName("Square"));
      assertEquals(2, square.target().index());
      assertEquals("square", square.target().label());
      Explanation byIndex = c.explain(image, ExplainOptions.defaults().withClassIndex(2));
      assertArrayEquals(square.heatmap().normalized().data(), byIndex.heatmap().normalized().data());
      Explanation conv2 = c.explain(image, ExplainOptions.defaults().withLayer("conv2").withMethod(CamMethod.LAYER_CAM));
      assertEquals("conv2", conv2.layer());
      assertEquals(2 * top.heatmap().height(), conv2.heatmap().height(), "conv2 is before the second pooling");
      BufferedImage png = ImageIO.read(new ByteArrayInputStream(top.overlayPng()));
      assertEquals(96, png.getWidth());
      assertEquals(80, png.getHeight());
      BufferedImage jpeg = ImageIO.read(new ByteArrayInputStream(top.overlayJpeg()));
      assertEquals(96, jpeg.getWidth());
      assertEquals(top.overlay().getRGB(10, 10), png.getRGB(10, 10), "PNG is lossless");
    }
  }

  @Test
  void badRequestsNameWhatIsWrong() {
    try (ImageClassifier c = ImageClassifier.load(DEMO)) {
      InputImage image = InputImage.of(triangle());
      String cls = assertThrows(InvalidInputException.class,
          () -> c.explain(image, ExplainOptions.defaults().withClassName("hexagon"))).getMessage();
      assertTrue(cls.contains("hexagon") && cls.contains("triangle"), cls);
      String idx = assertThrows(InvalidInputException.class,
          () -> c.explain(image, ExplainOptions.defaults().withClassIndex(4))).getMessage();
      assertTrue(idx.contains("0..3"), idx);
      String layer = assertThrows(InvalidInputException.class,
          () -> c.explain(image, ExplainOptions.defaults().withLayer("conv9"))).getMessage();
      assertTrue(layer.contains("conv9"), layer);
      String notImage = assertThrows(ImageReadException.class,
          () -> InputImage.of("plain text, no picture".getBytes())).getMessage();
      assertTrue(notImage.contains("not a recognised image format"), notImage);
    }
  }

  @Test
  void aModelFileWithoutRecordedPreprocessingMustBeGivenOne() throws IOException {
    Path copy = tmp.resolve("copy");
    try (KerasModel m = KerasModel.load(DEMO)) {
      m.saveKerasH5(tmp.resolve("model.h5"));
    }
    String msg = assertThrows(InvalidInputException.class, () -> ImageClassifier.load(tmp.resolve("model.h5")))
        .getMessage();
    assertTrue(msg.contains("withPreprocessing"), msg);
    try (ImageClassifier c = ImageClassifier.load(tmp.resolve("model.h5"),
        ClassifierOptions.defaults().withPreprocessing(Preprocessing.NONE))) {
      assertEquals(List.of("class_0", "class_1", "class_2", "class_3"), c.classNames().labels());
    }
    Files.createDirectories(copy);
    Files.write(copy.resolve("labels.txt"), List.of("a", "b", "c"));
    Files.copy(tmp.resolve("model.h5"), copy.resolve("model.h5"));
    String wrong = assertThrows(InvalidInputException.class, () -> ImageClassifier.load(copy.resolve("model.h5"),
        ClassifierOptions.defaults().withPreprocessing(Preprocessing.NONE))).getMessage();
    assertTrue(wrong.contains("4 outputs but 3 class names"), wrong);
  }

  @Test
  void activationsOfTheRequestedLayers() {
    try (ImageClassifier c = ImageClassifier.load(DEMO)) {
      LayerActivations a = c.activations(InputImage.of(triangle()), List.of("conv1", "pool1"));
      assertEquals(List.of(1, 64, 64), List.of(a.get("conv1").batchSize(), a.get("conv1").height(), a.get("conv1").width()));
      assertEquals(32, a.get("pool1").height());
      assertTrue(c.activationLayers().containsAll(List.of("conv1", "pool1", "conv4")), c.activationLayers().toString());
    }
  }

  @Test
  void concurrentCallsGiveTheSerialResults() throws Exception {
    List<InputImage> images = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      BufferedImage img = triangle();
      Graphics2D g = img.createGraphics();
      g.setColor(new Color(30 * i, 200 - 20 * i, 90));
      g.fillOval(4 * i, 2 * i, 20, 20);
      g.dispose();
      images.add(InputImage.of(img));
    }
    try (ImageClassifier c = ImageClassifier.load(DEMO)) {
      List<List<Prediction>> serialTop = images.stream().map(c::predict).toList();
      List<float[]> serialMaps = images.stream().map(i -> c.explain(i).heatmap().normalized().data()).toList();
      ExecutorService pool = Executors.newFixedThreadPool(16);
      try {
        List<Future<Boolean>> same = new ArrayList<>();
        for (int round = 0; round < 4; round++) {
          for (int i = 0; i < images.size(); i++) {
            int k = i;
            same.add(pool.submit(() -> c.predict(images.get(k)).equals(serialTop.get(k))
                && java.util.Arrays.equals(c.explain(images.get(k)).heatmap().normalized().data(), serialMaps.get(k))));
          }
        }
        for (Future<Boolean> f : same) {
          assertTrue(f.get(), "a concurrent call differs from the serial one");
        }
      } finally {
        pool.shutdownNow();
      }
    }
  }

  @Test
  void aCancelledExplanationStopsAndTheClassifierKeepsServing() {
    try (ImageClassifier c = ImageClassifier.load(DEMO)) {
      InputImage image = InputImage.of(triangle());
      Cancellation token = Cancellation.token();
      token.cancel();
      for (CamMethod method : CamMethod.values()) {
        assertThrows(CancelledException.class,
            () -> c.explain(image, ExplainOptions.defaults().withMethod(method).withCancellation(token)), method.cliName());
      }
      Explanation later = c.explain(image, ExplainOptions.defaults().withCancellation(Cancellation.after(Duration.ofHours(1))));
      assertArrayEquals(c.explain(image).heatmap().normalized().data(), later.heatmap().normalized().data());
    }
  }

  @Test
  void closedClassifierRefusesCalls() {
    ImageClassifier c = ImageClassifier.load(DEMO);
    c.close();
    assertThrows(ModelClosedException.class, () -> c.predict(InputImage.of(triangle())));
  }

  /** The real MobileNet-0.25 on the book's elephant against the golden probabilities and Grad-CAM map. */
  @Test
  void realMobileNetMatchesTheGoldenValues() throws IOException {
    Path weights = SharedData.require("models/keras-applications/mobilenet_2_5_128_tf.h5");
    Path golden = SharedData.require("golden");
    JsonNode g = new ObjectMapper().readTree(golden.resolve("A_mobilenet__elephant899.json").toFile());
    JsonNode probs = g.get("output").get("probabilities").get(0);
    List<Integer> order = IntStream.range(0, probs.size()).boxed()
        .sorted(Comparator.comparingDouble((Integer i) -> probs.get(i).asDouble()).reversed()).toList();
    FloatTensor map = Npy.read(golden.resolve("A_mobilenet__elephant899_gradcam_prob.npy")).slice(0).slice(1);
    try (ImageClassifier c = ImageClassifier.builtIn(BuiltIn.mobileNet(0.25, 128).withWeights(weights),
        ClassifierOptions.defaults().withLabels(SharedData.require("imagenet_class_index.json")))) {
      assertEquals(Preprocessing.TF, c.preprocessing(), "MobileNet brings its own preprocessing");
      InputImage elephant = InputImage.of(SharedData.require("images/book/creative_commons_elephant.jpg"));
      List<Prediction> top = c.predict(elephant);
      for (int i = 0; i < 5; i++) {
        assertEquals((int) order.get(i), top.get(i).index(), "rank " + i);
        assertEquals(probs.get(order.get(i)).asDouble(), top.get(i).score(), 1e-4, "score at rank " + i);
      }
      assertEquals("African_elephant", top.get(0).label());
      assertEquals("n02504458", top.get(0).wnid());
      Explanation e = c.explain(elephant);
      float[] actual = e.heatmap().normalized().data();
      for (int i = 0; i < actual.length; i++) {
        assertEquals(map.data()[i], actual[i], 1e-4, "normalized map at " + i);
      }
      assertEquals(899, e.overlay().getWidth());
    }
  }
}
