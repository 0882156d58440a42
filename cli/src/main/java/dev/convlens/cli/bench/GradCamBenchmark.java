package dev.convlens.cli.bench;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.convlens.bridge.FloatTensor;
import dev.convlens.bridge.KerasModel;
import dev.convlens.bridge.LoadOptions;
import dev.convlens.bridge.applications.Vgg16;
import dev.convlens.visualize.cam.CamExplainer;
import dev.convlens.visualize.cam.CamListener;
import dev.convlens.visualize.cam.CamMethod;
import dev.convlens.visualize.cam.CamOptions;
import java.util.Arrays;
import java.util.Random;

/**
 * Grad-CAM against the plain forward pass on the same model and input: each timed iteration runs
 * {@code predict} and Grad-CAM once, alternating which goes first, and the medians are compared.
 * Grad-CAM's extra cost is the backward pass from the score to the target layer, and fetching the
 * activations and gradients. Score-CAM is timed apart: it runs one forward pass per channel.
 */
public final class GradCamBenchmark {
  /** Medians of one batch size, in milliseconds per call. */
  public record Result(int batch, double forwardMs, double gradCamMs) {
    public double ratio() {
      return gradCamMs / forwardMs;
    }
  }

  private final int warmup;
  private final int iterations;

  public GradCamBenchmark(int warmup, int iterations) {
    if (warmup < 0 || iterations < 1) {
      throw new IllegalArgumentException("need warm-up >= 0 and iterations >= 1, got " + warmup + " and " + iterations);
    }
    this.warmup = warmup;
    this.iterations = iterations;
  }

  /**
   * VGG16 without top at {@code size x size} plus a generated GlobalAveragePooling2D -> Dense(1000,
   * softmax) head (include_top's 120M-parameter Flatten/Dense head is too big for a quick run), all
   * with Keras-default random weights from {@code seed}.
   */
  public static KerasModel vgg16WithDenseHead(int size, long seed) {
    ObjectMapper json = new ObjectMapper();
    ObjectNode config;
    try {
      config = (ObjectNode) json.readTree(
          Vgg16.Options.defaults().withIncludeTop(false).withImagenetWeights(false).withInputSize(size, size).config());
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("Vgg16.Options.config() is not JSON", e); // our own bug, not the user's
    }
    ObjectNode inner = (ObjectNode) config.get("config");
    ArrayNode layers = (ArrayNode) inner.get("layers");
    layers.add(layer(json, "GlobalAveragePooling2D", "head_gap", "block5_pool", json.createObjectNode()));
    layers.add(layer(json, "Dense", "predictions", "head_gap",
        json.createObjectNode().put("units", 1000).put("activation", "softmax").put("use_bias", true)));
    inner.set("output_layers", json.createArrayNode().add(json.createArrayNode().add("predictions").add(0).add(0)));
    return KerasModel.fromConfig(config.toString(), LoadOptions.defaults().withRandomWeights(seed));
  }

  private static ObjectNode layer(ObjectMapper json, String cls, String name, String inbound, ObjectNode config) {
    config.put("name", name);
    ObjectNode l = json.createObjectNode().put("class_name", cls).put("name", name);
    l.set("config", config);
    l.set("inbound_nodes", json.createArrayNode().add(json.createArrayNode().add(
        json.createArrayNode().add(inbound).add(0).add(0).add(json.createObjectNode()))));
    return l;
  }

  /** Caffe-preprocessed-range noise of the model's input shape with batch {@code batch}. */
  public static FloatTensor input(KerasModel model, int batch, long seed) {
    long[] shape = model.inputShape().clone();
    shape[0] = batch;
    float[] data = new float[(int) Arrays.stream(shape).reduce(1, (a, b) -> a * b)];
    Random r = new Random(seed);
    for (int i = 0; i < data.length; i++) {
      data[i] = r.nextFloat() * 255 - 128;
    }
    return new FloatTensor(shape, data);
  }

  /** Times forward and Grad-CAM (explainer built beforehand, so graph building is not timed). */
  public Result run(KerasModel model, CamExplainer gradCam, int batch) {
    FloatTensor x = input(model, batch, 42);
    Runnable forward = () -> model.predict(x);
    Runnable cam = () -> gradCam.explain(x);
    for (int i = 0; i < warmup; i++) {
      forward.run();
      cam.run();
    }
    double[] f = new double[iterations];
    double[] g = new double[iterations];
    for (int i = 0; i < iterations; i++) {
      if (i % 2 == 0) {
        f[i] = time(forward);
        g[i] = time(cam);
      } else {
        g[i] = time(cam);
        f[i] = time(forward);
      }
    }
    return new Result(batch, median(f), median(g));
  }

  /** Seconds for Score-CAM of one image (top-1 class), all channels of the default layer. */
  public static double scoreCamSeconds(KerasModel model, int batchSize, CamListener listener) {
    CamExplainer cam = CamExplainer.of(model, CamOptions.defaults().withMethod(CamMethod.SCORE_CAM)
        .withScoreCamBatchSize(batchSize).withListener(listener));
    FloatTensor x = input(model, 1, 7);
    return time(() -> cam.explain(x)) / 1000;
  }

  private static double time(Runnable r) {
    long start = System.nanoTime();
    r.run();
    return (System.nanoTime() - start) / 1e6;
  }

  static double median(double[] v) {
    return Timings.median(v);
  }
}
