package dev.convlens.finetune.training;

import dev.convlens.bridge.InvalidInputException;
import java.util.Locale;

/**
 * An optimizer as Keras 2 defines it, with Keras' default hyper-parameters: RMSprop ({@code rho
 * 0.9, epsilon 1e-7}, accumulator starting at zero), Adam ({@code beta_1 0.9, beta_2 0.999,
 * epsilon 1e-7}) or plain SGD. Each training phase builds its own update ops and slots from it
 * (a second phase starts from fresh slots, as a recompiled Keras model does). Immutable.
 */
public record Optimizer(Kind kind, double learningRate) {
  public enum Kind { RMSPROP, ADAM, SGD }

  public static final double RMSPROP_RHO = 0.9;
  public static final double BETA_1 = 0.9;
  public static final double BETA_2 = 0.999;
  public static final double EPSILON = 1e-7;

  public Optimizer {
    if (kind == null) {
      throw new InvalidInputException("optimizer kind is null (RMSPROP, ADAM or SGD)");
    }
    if (!(learningRate > 0) || Double.isInfinite(learningRate)) {
      throw new InvalidInputException("learning rate must be a finite number > 0, got " + learningRate);
    }
  }

  public static Optimizer rmsprop(double learningRate) {
    return new Optimizer(Kind.RMSPROP, learningRate);
  }

  public static Optimizer adam(double learningRate) {
    return new Optimizer(Kind.ADAM, learningRate);
  }

  public static Optimizer sgd(double learningRate) {
    return new Optimizer(Kind.SGD, learningRate);
  }

  /** {@code rmsprop}, {@code adam} or {@code sgd} (any case) with this learning rate. */
  public static Optimizer parse(String name, double learningRate) {
    return switch (name == null ? "" : name.toLowerCase(Locale.ROOT)) {
      case "rmsprop" -> rmsprop(learningRate);
      case "adam" -> adam(learningRate);
      case "sgd" -> sgd(learningRate);
      default -> throw new InvalidInputException("unknown optimizer '" + name + "' (expected rmsprop, adam or sgd)");
    };
  }

  @Override
  public String toString() {
    return kind.name().toLowerCase(Locale.ROOT) + "(lr=" + learningRate + ")";
  }
}
