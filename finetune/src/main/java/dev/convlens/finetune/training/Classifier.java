package dev.convlens.finetune.training;

import dev.convlens.bridge.Cancellation;
import dev.convlens.bridge.FloatTensor;
import dev.convlens.bridge.InvalidInputException;
import dev.convlens.bridge.KerasModel;
import dev.convlens.bridge.LayerInfo;
import dev.convlens.bridge.LayerTrait;
import dev.convlens.bridge.LoadOptions;
import dev.convlens.bridge.spi.ModelVariable;
import dev.convlens.finetune.data.ImageDataset;
import dev.convlens.finetune.data.LabelMode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * A pretrained base with a new classifier head, trained in phases: the book's transfer learning.
 * {@link #create} nests the base's Keras config in a Functional model with the {@link Head} (so
 * the result has a real Keras config, saved as such), copies the base's current weights and gives
 * the head Keras' default initialisation (Glorot-uniform kernels, zero biases) from a seed.
 *
 * <pre>{@code
 * try (KerasModel base = KerasModel.fromConfig(MobileNet.Options.defaults().withAlpha(0.25).withInputSize(128)
 *         .withIncludeTop(false).config(), LoadOptions.defaults().withWeights(weightsFile));
 *      Classifier c = Classifier.create(base, Head.book(), train.classNames(), LabelMode.BINARY, 42)) {
 *   History h = c.fit(train, validation, Phase.headOnly(Optimizer.rmsprop(2e-5), 30), listener);
 *   h = h.then(c.fit(train, validation, Phase.fineTune("conv_dw_13", Optimizer.rmsprop(1e-5), 20), listener));
 *   c.saveKerasH5(out.resolve("model.h5"));
 * }
 * }</pre>
 *
 * <p>Each phase trains only the weights its {@link Trainable} selects (gradients for those
 * variables only; the others stay bit-identical). Its gradient and update ops are built on the first
 * fit with that selection and optimizer and reused by later ones, so repeated fits do not grow the
 * graph; every fit starts from fresh optimizer slots, as a newly compiled Keras model does. Training
 * runs on the calling thread; do not use the model from other threads while {@link #fit} runs. Owns
 * its model: close it.
 */
public final class Classifier implements AutoCloseable {
  private final KerasModel model;
  private final @Nullable String baseName;
  private final HeadLayers head;
  private final @Nullable List<String> classNames;
  private final ClassifierOps ops;
  private final Trainer trainer;
  private @Nullable Set<String> lastTrainableLayers;

  private Classifier(KerasModel model, @Nullable String baseName, @Nullable List<String> classNames) {
    this.model = model;
    this.baseName = baseName;
    this.head = HeadLayers.of(model);
    this.classNames = classNames;
    this.ops = ClassifierOps.of(model, head);
    this.trainer = new Trainer(model, head, ops);
  }

  /**
   * Puts {@code head} on {@code base} (which must have a fixed input size; it is only read, close
   * it yourself) for {@code classNames} in label order.
   *
   * @param seed seed of the head's initial weights
   */
  public static Classifier create(KerasModel base, Head head, List<String> classNames, LabelMode labelMode, long seed) {
    if (base == null || head == null || classNames == null || labelMode == null) {
      throw new InvalidInputException("Classifier.create needs a base model, a head, class names and a label mode");
    }
    if (labelMode == LabelMode.BINARY && classNames.size() != 2) {
      throw new InvalidInputException("binary labels need 2 classes, got " + classNames);
    }
    if (classNames.size() < 2) {
      throw new InvalidInputException("a classifier needs at least 2 classes, got " + classNames);
    }
    String config = ClassifierConfig.build(base.config(), base.name(), base.inputShape(), head, labelMode,
        classNames.size());
    // Every layer starts from Keras' default initialisation (per layer from the seed, so the head's
    // values do not depend on the base); the base's layers then get the base's current weights.
    KerasModel model = KerasModel.fromConfig(config, LoadOptions.defaults().withRandomWeights(seed));
    try {
      BaseWeights.copy(base, model);
      return new Classifier(model, base.name(), List.copyOf(classNames));
    } catch (RuntimeException e) {
      model.close();
      throw e;
    }
  }

  /**
   * Wraps a classifier loaded from a file (e.g. one saved by {@link #saveKerasH5}); takes ownership
   * of {@code model}. Its base is its one nested model, if it has one.
   */
  public static Classifier of(KerasModel model) {
    String base = null;
    int nested = 0;
    for (LayerInfo l : model.layers()) {
      if (!l.path().contains("/") && l.is(LayerTrait.MODEL)) {
        base = l.path();
        nested++;
      }
    }
    return new Classifier(model, nested == 1 ? base : null, null);
  }

  /** Loads a saved classifier (any format the loader reads). */
  public static Classifier load(Path path) {
    KerasModel m = KerasModel.load(path);
    try {
      return of(m);
    } catch (RuntimeException e) {
      m.close();
      throw e;
    }
  }

  public KerasModel model() {
    return model;
  }

  /** The top-level name of the nested base model, or null when the model has none. */
  public @Nullable String baseName() {
    return baseName;
  }

  /** Class names in label order as given to {@link #create}, or null for a loaded model. */
  public @Nullable List<String> classNames() {
    return classNames;
  }

  public LabelMode labelMode() {
    return head.binary() ? LabelMode.BINARY : LabelMode.CATEGORICAL;
  }

  /** Outputs of the model: 1 (sigmoid) or the number of classes (softmax). */
  public int outputs() {
    return head.outputs();
  }

  /** Epochs trained so far over all phases. */
  public int epochsTrained() {
    return trainer.epochsDone();
  }

  /**
   * Runs one phase: {@code phase.epochs()} epochs over {@code train} (shuffled and augmented as its
   * options say), each followed by an evaluation on {@code validation} (may be null). Stops between
   * steps when {@link Phase#cancellation()} does, with {@code CancelledException}.
   *
   * @throws InvalidInputException before any work when the data does not fit the model or the
   *     phase selects nothing
   */
  public History fit(ImageDataset train, @Nullable ImageDataset validation, Phase phase, @Nullable TrainingListener listener) {
    if (train == null || phase == null) {
      throw new InvalidInputException("fit needs training data and a phase");
    }
    if (ops.trainLoss == null) {
      throw new InvalidInputException("model '" + model.name() + "' cannot be trained here: its output layer '"
          + head.output() + "' is not a Dense/Conv with sigmoid or softmax (activation '" + head.activation() + "')");
    }
    checkData(train, "training");
    if (validation != null) {
      checkData(validation, "validation");
    }
    if (phase.trainable().needsBase() && baseName == null) {
      throw new InvalidInputException("model '" + model.name() + "' has no nested base model: use Trainable.fromLayer");
    }
    List<ModelVariable> vars = phase.trainable().select(model, baseName);
    History h = trainer.fit(train, validation, phase, vars, listener == null ? TrainingListener.NONE : listener);
    Set<String> layers = new HashSet<>();
    vars.forEach(v -> layers.add(v.layer()));
    lastTrainableLayers = layers;
    return h;
  }

  /** Loss and accuracy on {@code data} in inference mode (no dropout, no augmentation), in one pass. */
  public Evaluation evaluate(ImageDataset data) {
    return evaluate(data, Cancellation.none());
  }

  /**
   * {@link #evaluate(ImageDataset)} that stops with {@code CancelledException} when {@code
   * cancellation} does: checked before every batch.
   */
  public Evaluation evaluate(ImageDataset data, Cancellation cancellation) {
    InvalidInputException.requireNonNull(cancellation, "cancellation");
    checkData(data, "evaluation");
    return trainer.evaluate(data, null, cancellation);
  }

  /** The model's output for a batch of preprocessed images {@code [N, H, W, C]}; one graph run, as {@code KerasModel.predict}. */
  public FloatTensor predict(FloatTensor images) {
    return model.predict(images);
  }

  private void checkData(ImageDataset data, String what) {
    long[] in = model.inputShape();
    if (data.options().height() != in[1] || data.options().width() != in[2] || in[3] != 3) {
      throw new InvalidInputException(what + " images are " + data.options().height() + "x" + data.options().width()
          + " RGB but model '" + model.name() + "' takes " + java.util.Arrays.toString(in));
    }
    int width = data.options().labelMode().width(data.classNames().size());
    if (width != head.outputs() || (data.options().labelMode() == LabelMode.BINARY) != head.binary()) {
      throw new InvalidInputException(what + " data has " + data.classNames().size() + " classes with "
          + data.options().labelMode() + " labels (width " + width + ") but the model has " + head.outputs()
          + " output(s)");
    }
  }

  /**
   * The model's Keras config (JSON text) with each weighted layer's {@code trainable} flag as the
   * last phase left it (Keras saves those flags); unchanged before any training.
   */
  public String config() {
    if (lastTrainableLayers == null) {
      return model.config();
    }
    Set<String> withWeights = new HashSet<>();
    model.graph().variables().forEach(v -> withWeights.add(v.layer()));
    return ClassifierConfig.withTrainableFlags(model.config(), p -> Objects.requireNonNull(lastTrainableLayers).contains(String.join("/", p)),
        p -> withWeights.contains(String.join("/", p)));
  }

  /** Saves as a Keras 2 full-model HDF5 file with the current weights and {@link #config()}. */
  public void saveKerasH5(Path file) {
    model.saveKerasH5(file, config());
  }

  /** Exports a SavedModel with the current weights ({@link KerasModel#exportSavedModel}). */
  public void exportSavedModel(Path dir) {
    model.exportSavedModel(dir, new ArrayList<>(List.of(head.output())));
  }

  @Override
  public void close() {
    model.close();
  }
}
