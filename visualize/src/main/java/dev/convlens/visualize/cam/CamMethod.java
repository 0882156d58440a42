package dev.convlens.visualize.cam;

import dev.convlens.bridge.InvalidInputException;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * The class activation map methods, by the names the CLI uses: pytorch-grad-cam's {@code cam.py}
 * names where it has the method, ours otherwise.
 */
public enum CamMethod implements AttributionMethod {
  /** The paper's and the keras.io example's Grad-CAM: logit score, pooled gradients, sum over channels. */
  GRAD_CAM("gradcam", KerasGradCam::new, "gradcam-logit"),
  /**
   * The book's Grad-CAM: probability score, pooled gradients, mean over channels. The default of
   * {@link CamOptions#defaults()}, the CLI and the report, since it is what the book computes.
   */
  GRAD_CAM_BOOK("gradcam-book", BookGradCam::new),
  GRAD_CAM_PLUS_PLUS("gradcam++", GradCamPlusPlus::new),
  LAYER_CAM("layercam", LayerCam::new),
  /** Logit score, element-wise {@code sum_k g_k A_k} (no pooling). */
  HIRES_CAM("hirescam", HiResCam::new),
  /** Logit score, activation-weighted mean gradients as weights. */
  XGRAD_CAM("xgradcam", XGradCam::new),
  /** Gradient-free and class-free: the first principal component of the activations. */
  EIGEN_CAM("eigencam", EigenCam::new),
  /** Gradient-free; one forward pass per channel of the target layer (batched). */
  SCORE_CAM("scorecam", ScoreCam::new);

  private final String cliName;
  private final Supplier<CamAlgorithm> algorithm;
  private final List<String> aliases;

  CamMethod(String cliName, Supplier<CamAlgorithm> algorithm, String... aliases) {
    this.cliName = cliName;
    this.algorithm = algorithm;
    this.aliases = List.of(aliases);
  }

  /** The name on the command line, e.g. {@code gradcam++}. */
  @Override
  public String cliName() {
    return cliName;
  }

  CamAlgorithm algorithm() {
    return algorithm.get();
  }

  /** Other names {@link #parse} accepts, e.g. {@code gradcam-logit}: Grad-CAM's earlier name. */
  public List<String> aliases() {
    return aliases;
  }

  /** The method named {@code name} ({@link #cliName()}, an alias or the constant's name, any case). */
  public static CamMethod parse(String name) {
    for (CamMethod m : values()) {
      if (m.cliName.equalsIgnoreCase(name) || m.name().equalsIgnoreCase(name)
          || m.aliases.stream().anyMatch(name::equalsIgnoreCase)) {
        return m;
      }
    }
    throw new InvalidInputException("unknown CAM method '" + name + "'; expected one of "
        + Arrays.stream(values()).map(CamMethod::cliName).toList());
  }

  @Override
  public String toString() {
    return cliName.toLowerCase(Locale.ROOT);
  }
}
