package dev.convlens.visualize.cam;

import java.util.Locale;

/** The input-space attribution methods, by the names the CLI uses; {@link Attributor} runs them. */
public enum InputMethod implements AttributionMethod {
  /** Vanilla saliency: the largest absolute input gradient over the channels. */
  SALIENCY("saliency"),
  /** Integrated Gradients from a zero baseline, 50 steps: the attributions summed over the channels. */
  INTEGRATED_GRADIENTS("ig"),
  /** Guided backpropagation: the largest absolute guided gradient over the channels. */
  GUIDED("guided"),
  /** SmoothGrad (noise level 0.15, 50 samples, seed 0): the largest absolute mean gradient over the channels. */
  SMOOTHGRAD("smoothgrad"),
  /** Occlusion sensitivity (16 x 16 patches every 8 pixels, filled with 0): the mean score drop per pixel. */
  OCCLUSION("occlusion");

  private final String cliName;

  InputMethod(String cliName) {
    this.cliName = cliName;
  }

  @Override
  public String cliName() {
    return cliName;
  }

  @Override
  public String toString() {
    return cliName.toLowerCase(Locale.ROOT);
  }
}
