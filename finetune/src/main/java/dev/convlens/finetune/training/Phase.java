package dev.convlens.finetune.training;

import dev.convlens.bridge.Cancellation;
import dev.convlens.bridge.InvalidInputException;
import org.jspecify.annotations.Nullable;

/**
 * One training phase: which layers train, with which optimizer, for how many epochs. Immutable;
 * start from {@link #headOnly}, {@link #fineTune} or {@link #of} and use the withers.
 *
 * @param name a label for the history and the plot ({@code head}, {@code fine_tune}, ...)
 * @param earlyStopping null: run every epoch and keep the last weights
 * @param cachePrefix when the training data is not augmented, run the frozen layers before the
 *     first trainable one once over the data and train from their cached outputs (feature
 *     extraction when only the head trains); validation data is always served from the cache
 * @param seed seed of the dropout masks
 * @param elementwiseCopies for the copy benchmark only ({@code convlens bench finetune}): copy every
 *     array into and out of TensorFlow through TF Java's NdArray buffers (the SPI's element-wise
 *     path, which training used before) instead of the raw tensor memory; never changes results
 * @param cancellation when {@code fit} stops with {@code CancelledException}: checked before every
 *     training step, every batch of the prefix cache (feature extraction) and of the evaluation,
 *     so a fit returns at most one step after its deadline. The model keeps the weights of the
 *     last step done (no best-weights restore) and stays usable. A deadline counts from when it
 *     is made, so set it per fit
 */
public record Phase(String name, Trainable trainable, Optimizer optimizer, int epochs, @Nullable EarlyStopping earlyStopping,
    boolean cachePrefix, long seed, boolean elementwiseCopies, Cancellation cancellation) {
  public Phase {
    if (name == null || trainable == null || optimizer == null) {
      throw new InvalidInputException("a phase needs a name, a trainable selection and an optimizer, got " + name
          + ", " + trainable + ", " + optimizer);
    }
    if (cancellation == null) {
      throw new InvalidInputException("a phase needs a cancellation (Cancellation.none() for none)");
    }
    if (epochs < 1) {
      throw new InvalidInputException("a phase needs at least 1 epoch, got " + epochs);
    }
  }

  public static Phase of(String name, Trainable trainable, Optimizer optimizer, int epochs) {
    return new Phase(name, trainable, optimizer, epochs, null, true, 0, false, Cancellation.none());
  }

  /** Phase 1 of the recipe (and feature extraction when the data is not augmented): the base frozen. */
  public static Phase headOnly(Optimizer optimizer, int epochs) {
    return of("head", Trainable.headOnly(), optimizer, epochs);
  }

  /** Phase 2 of the recipe: {@code fromLayer} onward trains together with the head. */
  public static Phase fineTune(String fromLayer, Optimizer optimizer, int epochs) {
    return of("fine_tune", Trainable.fromLayer(fromLayer), optimizer, epochs);
  }

  public Phase withName(String n) {
    return new Phase(n, trainable, optimizer, epochs, earlyStopping, cachePrefix, seed, elementwiseCopies, cancellation);
  }

  public Phase withEarlyStopping(@Nullable EarlyStopping e) {
    return new Phase(name, trainable, optimizer, epochs, e, cachePrefix, seed, elementwiseCopies, cancellation);
  }

  public Phase withCachePrefix(boolean on) {
    return new Phase(name, trainable, optimizer, epochs, earlyStopping, on, seed, elementwiseCopies, cancellation);
  }

  public Phase withSeed(long s) {
    return new Phase(name, trainable, optimizer, epochs, earlyStopping, cachePrefix, s, elementwiseCopies, cancellation);
  }

  /** For the copy benchmark only: see {@link #elementwiseCopies()}. */
  public Phase withElementwiseCopies(boolean on) {
    return new Phase(name, trainable, optimizer, epochs, earlyStopping, cachePrefix, seed, on, cancellation);
  }

  public Phase withEpochs(int n) {
    return new Phase(name, trainable, optimizer, n, earlyStopping, cachePrefix, seed, elementwiseCopies, cancellation);
  }

  /** See {@link #cancellation()}. */
  public Phase withCancellation(Cancellation c) {
    return new Phase(name, trainable, optimizer, epochs, earlyStopping, cachePrefix, seed, elementwiseCopies, c);
  }
}
