package dev.convlens.bridge;

/**
 * A call stopped by its {@link Cancellation}: cancelled through its token, past its deadline, or on
 * an interrupted thread (the interrupt flag is left set). Work already done is discarded; the model
 * stays usable.
 */
public final class CancelledException extends ConvlensException {
  /** Why the call stopped. */
  public enum Reason {
    /** {@link Cancellation#cancel()} was called. */
    CANCELLED,
    /** The deadline passed. */
    DEADLINE,
    /** The calling thread was interrupted ({@code Future.cancel(true)}, Kotlin's {@code runInterruptible}). */
    INTERRUPTED
  }

  private final Reason reason;

  public CancelledException(Reason reason, String message) {
    super(message);
    this.reason = InvalidInputException.requireNonNull(reason, "reason");
  }

  public CancelledException(Reason reason, String message, Throwable cause) {
    super(message, cause);
    this.reason = InvalidInputException.requireNonNull(reason, "reason");
  }

  public Reason reason() {
    return reason;
  }
}
