package dev.convlens.bridge.image;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.convlens.bridge.ConvlensException;
import dev.convlens.bridge.FloatTensor;
import dev.convlens.bridge.ModelFormatException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;

/**
 * The ImageNet class index Keras uses, {@code imagenet_class_index.json}
 * ({@code {"0": ["n01440764", "tench"], ...}}), read from an explicit file or from the Keras cache
 * where {@code keras.applications} downloads it. Nothing is downloaded here.
 */
public final class ImageNetLabels {
  public static final String FILE_NAME = "imagenet_class_index.json";

  private static volatile @Nullable ClassNames cached;

  private ImageNetLabels() {}

  /** Reads a Keras-format class index file (any number of classes, keys "0".."n-1"). */
  public static ClassNames load(Path json) {
    JsonNode root;
    try {
      root = new ObjectMapper().readTree(json.toFile());
    } catch (IOException e) {
      if (!Files.isRegularFile(json)) {
        throw new ConvlensException(json + ": class index file not found", e);
      }
      throw new ModelFormatException(json, "not a valid JSON class index: " + e.getMessage(), e);
    }
    if (root == null || !root.isObject() || root.isEmpty()) {
      throw new ModelFormatException(json, "expected a JSON object {\"0\": [\"n01440764\", \"tench\"], ...}");
    }
    int n = root.size();
    List<String> ids = new ArrayList<>(n);
    List<String> labels = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      JsonNode entry = root.get(Integer.toString(i));
      if (entry == null) {
        throw new ModelFormatException(json, "class index has " + n + " entries but no key \"" + i + "\"");
      }
      if (!entry.isArray() || entry.size() != 2 || !entry.get(0).isTextual() || !entry.get(1).isTextual()) {
        throw new ModelFormatException(json, "entry \"" + i + "\" should be [wnid, label], got " + entry);
      }
      ids.add(entry.get(0).asText());
      labels.add(entry.get(1).asText());
    }
    return ClassNames.withIds(ids, labels);
  }

  /** The class index from the Keras cache (see {@link #cacheLocations()}), loaded once. */
  public static ClassNames fromKerasCache() {
    ClassNames c = cached;
    if (c == null) {
      c = loadFirst(cacheLocations());
      cached = c;
    }
    return c;
  }

  /** The first of {@code places} that exists, loaded; the error lists every place tried. */
  static ClassNames loadFirst(List<Path> places) {
    Path found = places.stream().filter(Files::isRegularFile).findFirst().orElseThrow(() -> new ConvlensException(
        FILE_NAME + " not found in the Keras cache; looked in: "
            + places.stream().map(Path::toString).collect(Collectors.joining(", "))
            + ". Pass the file explicitly to ImageNetLabels.load(path), or let Keras download it once"
            + " (keras.applications.imagenet_utils.decode_predictions)."));
    return load(found);
  }

  /** Keras' {@code decode_predictions(preds, top)} with the cached ImageNet class index. */
  public static List<List<Prediction>> decodePredictions(FloatTensor probabilities, int top) {
    return fromKerasCache().decodePredictions(probabilities, top);
  }

  /**
   * Where Keras keeps the file, in lookup order: {@code $KERAS_HOME/models/} if set, then
   * {@code ~/.keras/models/}, then {@code /tmp/.keras/models/} (Keras' fallback when the home
   * directory is not writable).
   */
  public static List<Path> cacheLocations() {
    return cacheLocations(System.getenv(), System.getProperty("user.home"));
  }

  static List<Path> cacheLocations(Map<String, String> env, @Nullable String userHome) {
    Set<Path> dirs = new LinkedHashSet<>();
    String kerasHome = env.get("KERAS_HOME");
    if (kerasHome != null && !kerasHome.isBlank()) {
      dirs.add(Path.of(kerasHome));
    }
    if (userHome != null && !userHome.isBlank()) {
      dirs.add(Path.of(userHome, ".keras"));
    }
    dirs.add(Path.of("/tmp", ".keras")); // Keras hard-codes this fallback
    return dirs.stream().map(d -> d.resolve("models").resolve(FILE_NAME)).toList();
  }
}
