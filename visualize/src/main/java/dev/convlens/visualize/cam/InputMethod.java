package dev.convlens.visualize.cam;

import java.util.Locale;

/** The input-space attribution methods, by the names the CLI uses; {@link Attributor} runs them. */
public enum InputMethod implements AttributionMethod {
  /** Vanilla saliency: the largest absolute input gradient over the channels. */
  SALIENCY("saliency"),
  /** Integrated Gradients from a zero baseline, 50 steps: the attributions summed over the channels. */
  INTEGRATED_GRADIENTS("ig"),
  /** Guided backpropagation: the largest absolute guided gradient over the channels. */
  GUIDED("guided");

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
