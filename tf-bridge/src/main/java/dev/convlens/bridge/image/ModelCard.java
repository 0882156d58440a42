package dev.convlens.bridge.image;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.convlens.bridge.InvalidInputException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * What convlens records beside a model it trains ({@value #FILE_NAME}): how images must be fed to
 * it and what its classes are called, so that nobody has to remember that a MobileNet base wants
 * {@code tf} preprocessing. {@code convlens finetune} and {@code convlens demo-model} write it.
 *
 * @param base the architecture or file the model was trained from (informational)
 * @param preprocessing the mode its training images went through
 * @param labelMode {@code categorical} or {@code binary}
 * @param classes class names in output order
 * @param height input height
 * @param width input width
 */
public record ModelCard(String base, Preprocessing preprocessing, String labelMode, List<String> classes, int height,
    int width) {
  public static final String FILE_NAME = "convlens-finetune.json";

  public ModelCard {
    InvalidInputException.requireNonNull(base, "base");
    InvalidInputException.requireNonNull(preprocessing, "preprocessing");
    InvalidInputException.requireNonNull(labelMode, "labelMode");
    classes = List.copyOf(classes);
  }

  /**
   * The card of {@code model}: in the model's directory (a SavedModel) or in the folder holding the
   * model file or SavedModel directory, as {@code convlens finetune --out} lays them out.
   */
  public static Optional<ModelCard> beside(Path model) {
    Path abs = model.toAbsolutePath().normalize();
    Path parent = abs.getParent();
    for (Path dir : Files.isDirectory(abs) ? List.of(abs, parent) : parent == null ? List.<Path>of() : List.of(parent)) {
      if (dir != null && Files.isRegularFile(dir.resolve(FILE_NAME))) {
        return Optional.of(read(dir.resolve(FILE_NAME)));
      }
    }
    return Optional.empty();
  }

  /** Reads a card; a missing preprocessing reads as none (cards written before it was recorded). */
  public static ModelCard read(Path file) {
    JsonNode s;
    try {
      if (Files.size(file) > 1 << 20) {
        throw new InvalidInputException(file + ": larger than 1 MiB, not a " + FILE_NAME);
      }
      s = new ObjectMapper().readTree(file.toFile());
    } catch (IOException e) {
      throw new InvalidInputException(file + ": cannot read model card: " + e.getMessage());
    }
    if (s == null || !s.isObject()) {
      throw new InvalidInputException(file + ": expected a JSON object");
    }
    List<String> classes = new ArrayList<>();
    s.path("classes").forEach(c -> classes.add(c.asText()));
    JsonNode size = s.path("input_size");
    return new ModelCard(s.path("base").asText(""), Preprocessing.parse(s.path("preprocessing").asText("none")),
        s.path("label_mode").asText("categorical"), classes, size.path(0).asInt(0), size.path(1).asInt(0));
  }

  /** Writes the card as {@value #FILE_NAME} into {@code dir}. */
  public void writeTo(Path dir) throws IOException {
    ObjectMapper json = new ObjectMapper();
    ObjectNode s = json.createObjectNode();
    s.put("base", base);
    s.put("preprocessing", preprocessing.name().toLowerCase(Locale.ROOT));
    s.put("label_mode", labelMode);
    classes.forEach(s.putArray("classes")::add);
    s.putArray("input_size").add(height).add(width);
    Files.writeString(dir.resolve(FILE_NAME), json.writerWithDefaultPrettyPrinter().writeValueAsString(s) + "\n");
  }

  /** The class names, unless none were recorded. */
  public Optional<ClassNames> classNames() {
    return classes.isEmpty() ? Optional.empty() : Optional.of(ClassNames.of(classes));
  }
}
