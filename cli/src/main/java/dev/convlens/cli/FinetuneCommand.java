package dev.convlens.cli;

import dev.convlens.bridge.Cancellation;
import dev.convlens.bridge.CancelledException;
import dev.convlens.bridge.InvalidInputException;
import dev.convlens.bridge.KerasModel;
import dev.convlens.bridge.image.ModelCard;
import dev.convlens.bridge.image.Preprocessing;
import dev.convlens.bridge.io.AtomicFiles;
import dev.convlens.bridge.io.FolderOptions;
import dev.convlens.finetune.data.Augmentation;
import dev.convlens.finetune.data.DatasetOptions;
import dev.convlens.finetune.data.ImageDataset;
import dev.convlens.finetune.data.LabelMode;
import dev.convlens.finetune.training.Classifier;
import dev.convlens.finetune.training.EarlyStopping;
import dev.convlens.finetune.training.EpochMetrics;
import dev.convlens.finetune.training.Head;
import dev.convlens.finetune.training.History;
import dev.convlens.finetune.training.Optimizer;
import dev.convlens.finetune.training.Phase;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "finetune", mixinStandardHelpOptions = true,
    description = {"Transfer learning as in the book: a new classifier on a pretrained base, trained with the base "
        + "frozen (feature extraction), then with its top block unfrozen (fine-tuning).",
        "Writes model.h5 (Keras 2), savedmodel/, history.json, history.csv, curves.png and "
            + FinetuneCommand.SIDECAR + " into --out."})
final class FinetuneCommand implements Callable<Integer> {
  /** Written beside the saved models: what `convlens evaluate` needs to feed them the same way. */
  static final String SIDECAR = ModelCard.FILE_NAME;

  @Option(names = "--base", required = true, paramLabel = "<mobilenet|vgg16|file>",
      description = "The pretrained base: a built-in without its top, or a Keras model file/SavedModel.")
  String base;

  @Option(names = "--weights", paramLabel = "FILE", description = "Weights of a built-in base (default: the Keras cache).")
  @Nullable Path weights;

  @Option(names = "--alpha", paramLabel = "A", description = "MobileNet width multiplier (default 1.0).")
  @Nullable Double alpha;

  @Option(names = "--input-size", paramLabel = "N", description = "Image height and width (built-ins: default 224).")
  @Nullable Integer inputSize;

  @Option(names = "--download", description = "Fetch missing official weights into the Keras cache.")
  boolean download;

  @Option(names = "--random-weights", paramLabel = "SEED", description = "Random base weights (smoke tests, benchmarks).")
  @Nullable Long randomWeights;

  @Option(names = "--data", required = true, paramLabel = "DIR",
      description = "Folder with train/ and validation/, each with one sub-folder of images per class.")
  Path data;

  @Option(names = "--out", required = true, paramLabel = "DIR",
      description = "Where the results go: a new folder, written as a whole once training ends (see --overwrite).")
  Path out;

  @Option(names = "--overwrite", description = OutputFolders.OVERWRITE_HELP)
  boolean overwrite;

  @Option(names = "--mode", defaultValue = "fine-tune", paramLabel = "MODE",
      description = "fine-tune (head, then head + top block) or feature-extraction (head only). Default ${DEFAULT-VALUE}.")
  String mode;

  @Option(names = "--epochs", defaultValue = "30", description = "Epochs with the base frozen (default ${DEFAULT-VALUE}).")
  int epochs;

  @Option(names = "--fine-tune-epochs", defaultValue = "10", description = "Epochs of fine-tuning (default ${DEFAULT-VALUE}).")
  int fineTuneEpochs;

  @Option(names = "--optimizer", defaultValue = "rmsprop", description = "rmsprop, adam or sgd (default ${DEFAULT-VALUE}).")
  String optimizer;

  @Option(names = "--lr", defaultValue = "2e-5", description = "Learning rate with the base frozen (default ${DEFAULT-VALUE}).")
  double lr;

  @Option(names = "--fine-tune-lr", defaultValue = "1e-5", description = "Learning rate of fine-tuning (default ${DEFAULT-VALUE}).")
  double fineTuneLr;

  @Option(names = "--unfreeze-from", paramLabel = "LAYER",
      description = "First layer to unfreeze (default: conv_dw_13 for mobilenet, block5_conv1 for vgg16).")
  @Nullable String unfreezeFrom;

  @Option(names = "--augment", description = "Augment the training images as the book (rotation 40, shifts/shear/zoom 0.2, flips).")
  boolean augment;

  @Option(names = "--batch-size", defaultValue = "32", description = "Default ${DEFAULT-VALUE}.")
  int batchSize;

  @Option(names = "--seed", defaultValue = "1", description = "Seed of shuffling, augmentation, dropout and head weights.")
  long seed;

  @Option(names = "--head", defaultValue = "flatten", description = "flatten or gap (global average pooling).")
  String head;

  @Option(names = "--units", defaultValue = "256", description = "Units of the head's hidden Dense layer (0: none).")
  int units;

  @Option(names = "--dropout", defaultValue = "0.5", description = "Dropout rate before the output (0: none).")
  double dropout;

  @Option(names = "--patience", paramLabel = "N",
      description = "Stop a phase when val_loss has not improved for N epochs; keep its best weights.")
  @Nullable Integer patience;

  @Option(names = "--preprocess", paramLabel = "MODE",
      description = "caffe, tf, torch, rescale or none; default: the built-in's own mode (none for files).")
  @Nullable String preprocess;

  @Option(names = "--labels", paramLabel = "MODE", description = "binary or categorical (default: binary for 2 classes).")
  @Nullable String labels;

  @Mixin
  TimeoutOption timeout;

  @Spec
  picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws IOException {
    boolean fineTune = switch (mode.toLowerCase(Locale.ROOT)) {
      case "fine-tune", "finetune" -> true;
      case "feature-extraction" -> false;
      default -> throw new InvalidInputException("--mode must be fine-tune or feature-extraction, got '" + mode + "'");
    };
    Head.Pooling pooling = switch (head.toLowerCase(Locale.ROOT)) {
      case "flatten" -> Head.Pooling.FLATTEN;
      case "gap", "global-average" -> Head.Pooling.GLOBAL_AVERAGE;
      default -> throw new InvalidInputException("--head must be flatten or gap, got '" + head + "'");
    };
    Head newHead = new Head(pooling, units, dropout);
    Optimizer first = Optimizer.parse(optimizer, lr);
    Optimizer second = Optimizer.parse(optimizer, fineTuneLr);
    String unfreeze = unfreezeFrom != null ? unfreezeFrom : defaultUnfreeze();
    if (fineTune && unfreeze == null) {
      throw new InvalidInputException("--unfreeze-from LAYER is needed to fine-tune a base from a file");
    }
    FolderOptions outOptions = OutputFolders.options(SIDECAR, overwrite);
    OutputFolders.check(spec, out, outOptions); // before training, not after it
    Path trainDir = data.resolve("train");
    Path valDir = data.resolve("validation");
    PrintWriter err = spec.commandLine().getErr();
    PrintWriter stdout = spec.commandLine().getOut();
    ModelOptions baseOptions = baseOptions();
    try (KerasModel baseModel = baseOptions.load(false)) {
      Preprocessing pre = preprocess != null ? Preprocessing.parse(preprocess) : baseOptions.preprocessing;
      long[] in = baseModel.inputShape();
      if (in.length != 4 || in[1] < 1 || in[2] < 1) {
        throw new InvalidInputException("base input " + java.util.Arrays.toString(in) + " has no fixed size: pass --input-size");
      }
      DatasetOptions options = DatasetOptions.of((int) in[1], (int) in[2], pre).withBatchSize(batchSize).withSeed(seed);
      List<String> classes = classes(trainDir);
      LabelMode labelMode = labels != null ? LabelMode.valueOf(labels.toUpperCase(Locale.ROOT))
          : classes.size() == 2 ? LabelMode.BINARY : LabelMode.CATEGORICAL;
      options = options.withLabelMode(labelMode);
      ImageDataset train = ImageDataset.fromDirectory(trainDir, augment ? options.withAugmentation(Augmentation.book()) : options,
          s -> err.println("skipped " + s));
      ImageDataset validation = ImageDataset.fromDirectory(valDir, options.forEvaluation(), s -> err.println("skipped " + s));
      if (!validation.classNames().equals(train.classNames())) {
        throw new InvalidInputException("validation classes " + validation.classNames() + " differ from training classes "
            + train.classNames());
      }
      err.printf(Locale.ROOT, "%d training and %d validation images, classes %s%n", train.size(), validation.size(),
          train.classNames());
      try (Classifier c = Classifier.create(baseModel, newHead, train.classNames(), labelMode, seed)) {
        ProgressBar progress = new ProgressBar(err);
        EarlyStopping stop = patience != null ? EarlyStopping.onValidationLoss(patience) : null;
        Cancellation deadline = timeout.start(); // one deadline for both phases
        History h;
        try {
          h = c.fit(train, validation, Phase.headOnly(first, epochs).withName(fineTune ? "head" : "feature_extraction")
              .withEarlyStopping(stop).withSeed(seed).withCancellation(deadline), progress);
          report(stdout, h);
          if (fineTune) {
            History f = c.fit(train, validation, Phase.fineTune(Objects.requireNonNull(unfreeze), second, fineTuneEpochs)
                .withEarlyStopping(stop).withSeed(seed + 1).withCancellation(deadline), progress);
            report(stdout, f);
            h = h.then(f);
          }
        } catch (CancelledException e) {
          err.println(); // end the progress line; nothing is saved
          throw e;
        }
        History all = h;
        // one folder moved into place: never this run's model.h5 beside an earlier run's savedmodel/
        AtomicFiles.writeFolder(out, outOptions, dir -> {
          c.saveKerasH5(dir.resolve("model.h5"));
          c.exportSavedModel(dir.resolve("savedmodel"));
          all.writeJson(dir.resolve("history.json"));
          all.writeCsv(dir.resolve("history.csv"));
          all.plot(dir.resolve("curves.png"));
          writeSidecar(dir, pre, labelMode, train.classNames(), in);
        });
        stdout.println("saved " + out.resolve("model.h5") + ", " + out.resolve("savedmodel") + ", history.json, history.csv,"
            + " curves.png");
        stdout.flush();
      }
    }
    return 0;
  }

  private static void report(PrintWriter out, History h) {
    EpochMetrics last = h.last();
    double seconds = h.epochs().stream().mapToDouble(EpochMetrics::seconds).sum();
    out.printf(Locale.ROOT, "%s: val_accuracy %.4f val_loss %.4f after %d epochs (%.1f s)%n", last.phase(),
        last.valAccuracy(), last.valLoss(), h.epochs().size(), seconds);
    out.flush();
  }

  private @Nullable String defaultUnfreeze() {
    return switch (base.toLowerCase(Locale.ROOT)) {
      case "mobilenet" -> "conv_dw_13";
      case "vgg16" -> "block5_conv1";
      default -> null;
    };
  }

  private ModelOptions baseOptions() {
    ModelOptions m = new ModelOptions();
    m.model = base;
    m.weights = weights;
    m.noTop = true;
    m.alpha = alpha;
    m.inputSize = inputSize;
    m.download = download;
    m.randomWeights = randomWeights;
    return m;
  }

  private static List<String> classes(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      throw new InvalidInputException("--data must hold train/ and validation/ folders; " + dir + " is missing");
    }
    try (var s = Files.list(dir)) {
      return s.filter(Files::isDirectory).map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  private void writeSidecar(Path dir, Preprocessing pre, LabelMode labelMode, List<String> classes, long[] in)
      throws IOException {
    new ModelCard(base, pre, labelMode.name().toLowerCase(Locale.ROOT), classes, (int) in[1], (int) in[2]).writeTo(dir);
  }

}
