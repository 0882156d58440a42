package dev.convlens.server;

import dev.convlens.bridge.Cancellation;
import dev.convlens.bridge.FloatTensor;
import dev.convlens.bridge.InvalidInputException;
import dev.convlens.bridge.image.ImageReadException;
import dev.convlens.bridge.image.Prediction;
import dev.convlens.visualize.cam.AttributionMethod;
import dev.convlens.visualize.cam.Heatmap;
import dev.convlens.visualize.cam.Target;
import java.awt.Color;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import javax.imageio.ImageIO;

/**
 * A served model without TensorFlow: four classes with fixed scores (triangle first), a 2x2
 * heatmap whose hot cell is the class index, and a gate that holds every call until opened, so
 * tests can fill the inference queue on purpose.
 */
final class FakeModel implements ServedModel {
  static final List<String> CLASSES = List.of("circle", "cross", "square", "triangle");
  static final float[] SCORES = {0.1f, 0.05f, 0.15f, 0.7f};

  final CountDownLatch gate;
  final AtomicInteger calls = new AtomicInteger();
  final AtomicBoolean closed = new AtomicBoolean();

  FakeModel(boolean open) {
    gate = new CountDownLatch(open ? 0 : 1);
  }

  @Override
  public ModelInfo info() {
    return new ModelInfo("fake", 8, 8, CLASSES, List.of("conv1", "conv2"), "conv2", List.of("conv1", "pool1", "conv2"),
        "conv2", List.of("gradcam", "scorecam"), "gradcam");
  }

  @Override
  public List<Prediction> predict(byte[] image, int top) {
    decode(image);
    List<Prediction> all = new ArrayList<>();
    for (int i = 0; i < CLASSES.size(); i++) {
      all.add(new Prediction(i, "", CLASSES.get(i), SCORES[i]));
    }
    all.sort((a, b) -> Float.compare(b.score(), a.score()));
    return all.subList(0, top);
  }

  @Override
  public Explained explain(byte[] image, int classIndex, AttributionMethod method, String layer, Cancellation deadline) {
    BufferedImage img = decode(image);
    int c = classIndex < 0 ? 3 : classIndex;
    float[] map = new float[4];
    map[c] = 1;
    float[] raw = map.clone();
    raw[(c + 1) % 4] = -0.5f;
    Heatmap h = new Heatmap(c, SCORES[c], FloatTensor.of(SCORES.clone(), 1, 4), FloatTensor.of(raw, 2, 2),
        FloatTensor.of(map, 2, 2), FloatTensor.of(new float[] {1}, 1), false, Target.output(c), SCORES[c]);
    BufferedImage overlay = new BufferedImage(img.getWidth(), img.getHeight(), BufferedImage.TYPE_INT_RGB);
    int x = (c % 2) * img.getWidth() / 2;
    int y = (c / 2) * img.getHeight() / 2;
    var g = overlay.createGraphics();
    g.setColor(Color.RED);
    g.fillRect(x, y, img.getWidth() / 2, img.getHeight() / 2);
    g.dispose();
    return new Explained(new Prediction(c, "", CLASSES.get(c), SCORES[c]), method, layer == null ? "conv2" : layer, h,
        overlay);
  }

  @Override
  public BufferedImage activations(byte[] image, String layer) {
    decode(image);
    return new BufferedImage(layer.equals("conv1") ? 16 : 8, 8, BufferedImage.TYPE_INT_RGB);
  }

  private BufferedImage decode(byte[] bytes) {
    calls.incrementAndGet();
    try {
      if (!gate.await(30, TimeUnit.SECONDS)) {
        throw new IllegalStateException("the test never opened the gate");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InvalidInputException("interrupted");
    }
    try {
      BufferedImage img = ImageIO.read(new ByteArrayInputStream(bytes));
      if (img == null) {
        throw new ImageReadException(null, "not a recognised image format");
      }
      return img;
    } catch (IOException e) {
      throw new ImageReadException(null, "corrupt image: " + e.getMessage(), e);
    }
  }

  @Override
  public void close() {
    closed.set(true);
  }
}
