package dev.convlens.server;

import dev.convlens.bridge.Cancellation;
import dev.convlens.bridge.InvalidInputException;
import dev.convlens.bridge.image.ImageLimits;
import dev.convlens.bridge.image.Prediction;
import dev.convlens.visualize.ClassifierOptions;
import dev.convlens.visualize.ExplainOptions;
import dev.convlens.visualize.Explanation;
import dev.convlens.visualize.ImageClassifier;
import dev.convlens.visualize.InputImage;
import dev.convlens.visualize.activations.ActivationGrids;
import dev.convlens.visualize.activations.GridOptions;
import dev.convlens.visualize.activations.LayerOutput;
import dev.convlens.visualize.cam.AttributionMethod;
import dev.convlens.visualize.cam.CamMethod;
import dev.convlens.visualize.cam.InputMethod;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/** A served {@link ImageClassifier}: uploads decoded within the server's image limits, activations drawn as the book's grids. */
final class ClassifierModel implements ServedModel {
  private static final Logger LOG = LogManager.getLogger(ClassifierModel.class);
  /** Channels drawn per activation grid: VGG16's 512-channel layers would otherwise make 8,000-pixel pictures. */
  static final int MAX_CHANNELS = 256;

  private final ImageClassifier classifier;
  private final ModelInfo info;
  private final ImageLimits limits;
  private final boolean owned;

  private ClassifierModel(String name, ImageClassifier classifier, ImageLimits limits, boolean owned) {
    this.classifier = classifier;
    this.limits = limits;
    this.owned = owned;
    List<String> methods = new ArrayList<>();
    if (!classifier.camLayers().isEmpty()) {
      for (AttributionMethod m : AttributionMethod.all()) {
        if (m != InputMethod.GUIDED || guidedWorks(classifier)) {
          methods.add(m.cliName());
        }
      }
    }
    List<String> cam = classifier.camLayers();
    List<String> acts = activationLayers(classifier);
    this.info = new ModelInfo(name, classifier.height(), classifier.width(), classifier.classNames().labels(), cam,
        cam.isEmpty() ? null : cam.get(cam.size() - 1), acts, acts.isEmpty() ? null : acts.get(acts.size() - 1), methods,
        methods.isEmpty() ? null : CamMethod.GRAD_CAM_BOOK.cliName());
  }

  /** Loads the model at {@code path} (its preprocessing and class names recorded beside it) and prepares it; the server closes it. */
  static ServedModel load(String name, Path path, ImageLimits limits) {
    ImageClassifier c = ImageClassifier.load(path, ClassifierOptions.defaults());
    try {
      return prepared(new ClassifierModel(name, c, limits, true));
    } catch (RuntimeException e) {
      c.close();
      throw e;
    }
  }

  /** A classifier the caller owns (and closes), prepared for serving. */
  static ServedModel borrowed(String name, ImageClassifier classifier, ImageLimits limits) {
    return prepared(new ClassifierModel(name, classifier, limits, false));
  }

  /**
   * Builds the ops of every gradient explainer the page offers before the first request: adding
   * ops while serving makes TensorFlow re-plan and stalls the runs in flight. The CAM methods are
   * built per layer, the input-space methods once (saliency builds the input gradient that
   * SmoothGrad and Integrated Gradients share). Methods that run the model many times per request
   * (Score-CAM, Faster-Score-CAM, Ablation-CAM, and the input-space ones but saliency and guided) add no ops of their own, so they
   * are left to their first request.
   */
  private static ClassifierModel prepared(ClassifierModel m) {
    long t0 = System.nanoTime();
    InputImage gray = InputImage.of(grayImage(m.info.height(), m.info.width()));
    m.classifier.predict(gray, 1);
    int n = 0;
    for (String layer : m.info.layers()) {
      for (CamMethod method : CamMethod.values()) {
        if (method != CamMethod.SCORE_CAM && method != CamMethod.FASTER_SCORE_CAM && method != CamMethod.ABLATION_CAM) {
          m.classifier.explain(gray, ExplainOptions.defaults().withMethod(method).withLayer(layer));
          n++;
        }
      }
    }
    for (InputMethod method : List.of(InputMethod.SALIENCY, InputMethod.GUIDED)) {
      if (m.info.methods().contains(method.cliName())) {
        m.classifier.explain(gray, ExplainOptions.defaults().withMethod(method));
        n++;
      }
    }
    LOG.info("model '{}': {} explainers prepared in {} ms", m.info.name(), n, (System.nanoTime() - t0) / 1_000_000);
    return m;
  }

  /** Guided backprop refuses models with a layer called more than once. */
  private static boolean guidedWorks(ImageClassifier classifier) {
    try {
      classifier.explain(InputImage.of(grayImage(classifier.height(), classifier.width())),
          ExplainOptions.defaults().withMethod(InputMethod.GUIDED));
      return true;
    } catch (InvalidInputException e) {
      LOG.info("guided backprop is not offered: {}", e.getMessage());
      return false;
    }
  }

  private static BufferedImage grayImage(int height, int width) {
    int h = height > 0 ? height : 64;
    int w = width > 0 ? width : 64;
    BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = img.createGraphics();
    g.setColor(Color.GRAY);
    g.fillRect(0, 0, w, h);
    g.dispose();
    return img;
  }

  /** The conv and pool layers with spatial maps: what the activation grids can draw. */
  private static List<String> activationLayers(ImageClassifier c) {
    if (c.camLayers().isEmpty()) {
      return List.of(); // loaded for predict only: no layer outputs
    }
    return c.activationLayers();
  }

  @Override
  public ModelInfo info() {
    return info;
  }

  @Override
  public List<Prediction> predict(byte[] image, int top) {
    return classifier.predict(InputImage.of(image, limits), top);
  }

  @Override
  public Explained explain(byte[] image, int classIndex, AttributionMethod method, String layer, Cancellation deadline) {
    ExplainOptions options = ExplainOptions.defaults().withMethod(method).withLayer(layer).withCancellation(deadline);
    if (classIndex >= 0) {
      options = options.withClassIndex(classIndex);
    }
    Explanation e = classifier.explain(InputImage.of(image, limits), options);
    return new Explained(e.target(), method, e.layer(), e.heatmap(), e.overlay());
  }

  @Override
  public BufferedImage activations(byte[] image, String layer) {
    LayerOutput out = classifier.activations(InputImage.of(image, limits), List.of(layer)).layers().get(0);
    // Small maps (a 4x4 pooling output) are enlarged so a tile is at least about 32 pixels across.
    int scale = Math.max(1, Math.min(8, 32 / Math.max(out.height(), out.width())));
    GridOptions grid = GridOptions.defaults().withScale(scale).withMaxChannels(MAX_CHANNELS);
    return ActivationGrids.render(out, 0, grid).get(0).picture();
  }

  @Override
  public void close() {
    if (owned) {
      classifier.close();
    }
  }
}
