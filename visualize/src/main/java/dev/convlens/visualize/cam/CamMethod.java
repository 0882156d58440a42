package dev.convlens.visualize.cam;

import dev.convlens.bridge.InvalidInputException;
import java.util.Arrays;
import java.util.Locale;
import java.util.function.Supplier;

/** The class activation map methods, by the names the CLI uses. */
public enum CamMethod {
  /** The book's Grad-CAM: probability score, pooled gradients, mean over channels. */
  GRAD_CAM("gradcam", BookGradCam::new),
  /** The keras.io example's Grad-CAM: logit score, pooled gradients, sum over channels. */
  GRAD_CAM_LOGIT("gradcam-logit", KerasGradCam::new),
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

  CamMethod(String cliName, Supplier<CamAlgorithm> algorithm) {
    this.cliName = cliName;
    this.algorithm = algorithm;
  }

  /** The name on the command line, e.g. {@code gradcam++}. */
  public String cliName() {
    return cliName;
  }

  CamAlgorithm algorithm() {
    return algorithm.get();
  }

  /** The method named {@code name} ({@link #cliName()} or the constant's name, any case). */
  public static CamMethod parse(String name) {
    for (CamMethod m : values()) {
      if (m.cliName.equalsIgnoreCase(name) || m.name().equalsIgnoreCase(name)) {
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
