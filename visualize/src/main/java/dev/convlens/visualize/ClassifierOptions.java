package dev.convlens.visualize;

import dev.convlens.bridge.InvalidInputException;
import dev.convlens.bridge.LoadOptions;
import dev.convlens.bridge.image.ClassNames;
import dev.convlens.bridge.image.Preprocessing;
import java.nio.file.Path;
import org.jspecify.annotations.Nullable;

/**
 * How {@link ImageClassifier} loads a model. Immutable; start from {@link #defaults()}.
 *
 * @param preprocessing the Keras {@code preprocess_input} mode, or null for the model's own: a
 *     built-in's, else the one {@code convlens finetune} recorded beside the file (a model file
 *     with neither must be given one: a wrong mode gives wrong classes without any error)
 * @param classNames the class names, or null for the model's: {@code labels.txt} or
 *     {@code imagenet_class_index.json} beside it, the ones {@code convlens finetune} recorded, the
 *     ImageNet names from the Keras cache for 1000 outputs, else {@code class_0, class_1, ...}
 * @param topK how many classes {@link ImageClassifier#predict(InputImage)} returns
 * @param load how the model file is read (session threads, limits, weights, random weights for tests)
 * @param download whether a built-in may fetch its missing official weights into the Keras cache
 */
public record ClassifierOptions(@Nullable Preprocessing preprocessing, @Nullable ClassNames classNames, int topK, LoadOptions load,
    boolean download) {
  public ClassifierOptions {
    InvalidInputException.requireNonNull(load, "load");
    if (topK < 1) {
      throw new InvalidInputException("topK must be at least 1, got " + topK);
    }
  }

  public static ClassifierOptions defaults() {
    return new ClassifierOptions(null, null, 5, LoadOptions.defaults(), false);
  }

  public ClassifierOptions withPreprocessing(Preprocessing preprocessing) {
    return new ClassifierOptions(preprocessing, classNames, topK, load, download);
  }

  public ClassifierOptions withClassNames(ClassNames classNames) {
    return new ClassifierOptions(preprocessing, classNames, topK, load, download);
  }

  /** Class names from a file: {@code imagenet_class_index.json}, or one name per line. */
  public ClassifierOptions withLabels(Path file) {
    return withClassNames(ClassNames.read(file));
  }

  public ClassifierOptions withTopK(int topK) {
    return new ClassifierOptions(preprocessing, classNames, topK, load, download);
  }

  public ClassifierOptions withLoad(LoadOptions load) {
    return new ClassifierOptions(preprocessing, classNames, topK, load, download);
  }

  public ClassifierOptions withDownload(boolean download) {
    return new ClassifierOptions(preprocessing, classNames, topK, load, download);
  }
}
