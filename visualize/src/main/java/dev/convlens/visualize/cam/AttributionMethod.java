package dev.convlens.visualize.cam;

import dev.convlens.bridge.InvalidInputException;
import java.util.ArrayList;
import java.util.List;

/**
 * Any attribution method by its command-line name: the class activation maps ({@link CamMethod})
 * and the input-space methods ({@link InputMethod}). {@link Attributor} runs any of them and gives
 * every one's result as a {@link Heatmap}.
 */
public sealed interface AttributionMethod permits CamMethod, InputMethod {
  /** The name on the command line, e.g. {@code gradcam++} or {@code ig}. */
  String cliName();

  /** Every method, CAM methods first, in the order of their enums. */
  static List<AttributionMethod> all() {
    List<AttributionMethod> all = new ArrayList<>(List.of(CamMethod.values()));
    all.addAll(List.of(InputMethod.values()));
    return List.copyOf(all);
  }

  /** The method named {@code name} (a CLI name, an alias or a constant's name, any case). */
  static AttributionMethod parse(String name) {
    InvalidInputException.requireNonNull(name, "method");
    for (AttributionMethod m : all()) {
      if (m.cliName().equalsIgnoreCase(name) || ((Enum<?>) m).name().equalsIgnoreCase(name)
          || m instanceof CamMethod c && c.aliases().stream().anyMatch(name::equalsIgnoreCase)) {
        return m;
      }
    }
    throw new InvalidInputException("unknown attribution method '" + name + "'; expected one of "
        + all().stream().map(AttributionMethod::cliName).toList());
  }
}
