package dev.convlens.cli;

import dev.convlens.bridge.KerasModel;
import dev.convlens.bridge.image.ClassNames;
import dev.convlens.bridge.image.ImageNetLabels;
import dev.convlens.bridge.image.Preprocessing;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Option;

/** How an image becomes model input and how outputs get names: the options predict, gradcam and report share. */
final class InputOptions {
  @Option(names = "--preprocess", paramLabel = "MODE",
      description = "caffe, tf, torch, rescale (x/255) or none; default: the built-in's own mode, else none.")
  @Nullable String preprocess;

  @Option(names = "--labels", paramLabel = "FILE",
      description = "imagenet_class_index.json, or one class name per line (default: labels.txt beside the model).")
  @Nullable Path labels;

  /** {@code --preprocess} if given, else what the model options found (a built-in's own mode, else none). */
  Preprocessing preprocessing(ModelOptions model) {
    return preprocess != null ? Preprocessing.parse(preprocess) : model.preprocessing;
  }

  /** Class names from {@code --labels}, else labels.txt beside the model, else ImageNet's for 1000 outputs, else numbered. */
  ClassNames classNames(ModelOptions model, int outputs) throws IOException {
    return classNames(labels != null ? labels : model.labelsBeside(), outputs);
  }

  /** How many values the model's (first) output has per sample: its class count for a classifier. */
  static int outputCount(KerasModel model) {
    long[] shape = model.graph().outputShape();
    return (int) shape[shape.length - 1];
  }

  static ClassNames classNames(@Nullable Path labels, int outputs) throws IOException {
    if (labels != null) {
      return ClassNames.read(labels);
    }
    if (outputs == 1000) {
      try {
        return ImageNetLabels.fromKerasCache();
      } catch (RuntimeException notCached) {
        // fall through to numbered classes
      }
    }
    List<String> names = new ArrayList<>();
    for (int i = 0; i < Math.max(outputs, 2); i++) {
      names.add("class_" + i);
    }
    return ClassNames.of(outputs == 1 ? names.subList(0, 2) : names);
  }
}
