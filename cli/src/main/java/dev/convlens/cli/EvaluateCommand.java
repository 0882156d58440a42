package dev.convlens.cli;

import dev.convlens.bridge.InvalidInputException;
import dev.convlens.bridge.image.ModelCard;
import dev.convlens.bridge.image.Preprocessing;
import dev.convlens.finetune.data.DatasetOptions;
import dev.convlens.finetune.data.ImageDataset;
import dev.convlens.finetune.data.LabelMode;
import dev.convlens.finetune.training.Classifier;
import dev.convlens.finetune.training.Evaluation;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "evaluate", mixinStandardHelpOptions = true,
    description = {"Loss and accuracy of a saved classifier on a folder of class sub-folders, e.g.",
        "accuracy 0.8420", "loss 0.3511"})
final class EvaluateCommand implements Callable<Integer> {
  @Option(names = "--model", required = true, paramLabel = "<file|dir>",
      description = "A classifier: Keras .h5/.keras or a SavedModel (e.g. from convlens finetune).")
  Path model;

  @Option(names = "--data", required = true, paramLabel = "DIR", description = "One sub-folder of images per class.")
  Path data;

  @Option(names = "--preprocess", paramLabel = "MODE",
      description = "caffe, tf, torch, rescale or none; default: what convlens finetune recorded beside the model.")
  @Nullable String preprocess;

  @Option(names = "--batch-size", defaultValue = "32", description = "Default ${DEFAULT-VALUE}.")
  int batchSize;

  @Spec
  picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws IOException {
    Preprocessing pre = preprocess != null ? Preprocessing.parse(preprocess) : recordedPreprocessing();
    PrintWriter err = spec.commandLine().getErr();
    try (Classifier c = Classifier.load(model)) {
      long[] in = c.model().inputShape();
      if (in.length != 4 || in[1] < 1 || in[2] < 1 || in[3] != 3) {
        throw new InvalidInputException("model input " + java.util.Arrays.toString(in) + " is not a fixed-size RGB image");
      }
      DatasetOptions options = DatasetOptions.of((int) in[1], (int) in[2], pre).withBatchSize(batchSize).withShuffle(false)
          .withLabelMode(c.labelMode());
      ImageDataset ds = ImageDataset.fromDirectory(data, options, s -> err.println("skipped " + s));
      if (c.labelMode() == LabelMode.CATEGORICAL && ds.classNames().size() != c.outputs()) {
        throw new InvalidInputException("the model has " + c.outputs() + " classes, " + data + " has "
            + ds.classNames().size() + ": " + ds.classNames());
      }
      Evaluation e = c.evaluate(ds);
      PrintWriter out = spec.commandLine().getOut();
      out.printf(Locale.ROOT, "accuracy %.4f%n", e.accuracy());
      out.printf(Locale.ROOT, "loss %.4f%n", e.loss());
      out.flush();
    }
    return 0;
  }

  /** The mode {@code convlens finetune} wrote beside the model (its folder or the folder holding it). */
  private Preprocessing recordedPreprocessing() {
    return ModelCard.beside(model).map(ModelCard::preprocessing).orElseThrow(() -> new InvalidInputException(
        "no " + ModelCard.FILE_NAME + " beside " + model
            + ": pass --preprocess (tf, caffe, torch, rescale, or none when the model rescales its input itself)"));
  }

}
