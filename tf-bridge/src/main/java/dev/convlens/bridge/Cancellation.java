package dev.convlens.bridge;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;

/**
 * When a long call should stop: a deadline, a token another thread cancels, both, or neither.
 * Long calls (Score-CAM, filter visualization, training, evaluation) take one and call
 * {@link #check()} before every graph run; once stopped they throw {@link CancelledException} and
 * the model stays usable. A graph run once started runs to its end, so a call returns at most one
 * run's time after its deadline (a Score-CAM batch of masks, one ascent step of a batch of filters,
 * one training step).
 *
 * <p>Every check also honours the calling thread's interrupt flag (and leaves it set), so
 * {@code Future.cancel(true)} (and Kotlin's {@code runInterruptible}, which interrupts its thread
 * when the coroutine is cancelled) stop a call at its next check even with {@link #none()}.
 *
 * <p>Immutable and thread-safe: a token is shared by the copies made from it ({@link #withTimeout},
 * {@link #or}), so cancelling any of them cancels all. A deadline is a point in time: it counts from
 * when {@link #after} is called, so make one per call, not once for a reused options object.
 *
 * <pre>{@code
 * Cancellation c = Cancellation.token().withTimeout(Duration.ofSeconds(30));
 * executor.submit(() -> explainer.withCancellation(c).explain(x));
 * c.cancel();                                                     // from any thread
 * }</pre>
 */
public final class Cancellation {
  /** Deadlines are capped at about 146 years, so that {@code System.nanoTime()} arithmetic cannot overflow. */
  private static final long MAX_NANOS = Long.MAX_VALUE / 2;
  private static final Cancellation NONE = new Cancellation(List.of(), false, 0, "");

  private final List<AtomicBoolean> tokens;
  private final boolean hasDeadline;
  /** On the {@code System.nanoTime()} scale. */
  private final long deadline;
  /** The deadline as the caller gave it, for the message: "of 100 ms" or "2026-12-05T17:00:00Z" (empty without one). */
  private final String deadlineText;

  private Cancellation(List<AtomicBoolean> tokens, boolean hasDeadline, long deadline, String deadlineText) {
    this.tokens = tokens;
    this.hasDeadline = hasDeadline;
    this.deadline = deadline;
    this.deadlineText = deadlineText;
  }

  /** Never cancelled, no deadline; checks still honour the thread's interrupt flag. */
  public static Cancellation none() {
    return NONE;
  }

  /** A deadline {@code timeout} from now (zero or negative: already passed). */
  public static Cancellation after(Duration timeout) {
    return NONE.withTimeout(timeout);
  }

  /** A deadline at {@code instant} of the system clock, measured from now on the monotonic clock. */
  public static Cancellation at(Instant instant) {
    InvalidInputException.requireNonNull(instant, "deadline");
    long nanos = nanos(Duration.between(Instant.now(), instant));
    return new Cancellation(List.of(), true, System.nanoTime() + nanos, instant.toString());
  }

  /** A token without a deadline, cancelled by {@link #cancel()}. */
  public static Cancellation token() {
    return new Cancellation(List.of(new AtomicBoolean()), false, 0, "");
  }

  /** This cancellation with a deadline {@code timeout} from now added (the earlier deadline wins); tokens are shared. */
  public Cancellation withTimeout(Duration timeout) {
    InvalidInputException.requireNonNull(timeout, "timeout");
    long at = System.nanoTime() + nanos(timeout);
    if (hasDeadline && deadline - at <= 0) {
      return this;
    }
    return new Cancellation(tokens, true, at, "of " + millis(timeout));
  }

  /** Stops when this or {@code other} stops: the tokens of both, the earlier deadline. */
  public Cancellation or(Cancellation other) {
    InvalidInputException.requireNonNull(other, "other");
    List<AtomicBoolean> all = new ArrayList<>(tokens);
    other.tokens.stream().filter(t -> !all.contains(t)).forEach(all::add);
    Cancellation earlier = !other.hasDeadline || (hasDeadline && deadline - other.deadline <= 0) ? this : other;
    return new Cancellation(List.copyOf(all), earlier.hasDeadline, earlier.deadline, earlier.deadlineText);
  }

  /**
   * Cancels the token(s): every call checking this cancellation, or a copy of it, stops at its next
   * check. Idempotent, callable from any thread.
   *
   * @throws IllegalStateException when this cancellation has no token ({@link #none()}, {@link #after})
   */
  public void cancel() {
    if (tokens.isEmpty()) {
      throw new IllegalStateException("this Cancellation has no token to cancel; make one with Cancellation.token()");
    }
    tokens.forEach(t -> t.set(true));
  }

  /** Whether {@link #check()} would throw now. */
  public boolean isCancelled() {
    return why() != null;
  }

  /**
   * Returns when the call may go on; throws when a token was cancelled, the deadline passed or the
   * thread is interrupted (the interrupt flag stays set).
   */
  public void check() {
    CancelledException.Reason why = why();
    if (why != null) {
      throw new CancelledException(why, message(why));
    }
  }

  /** Whether there is a deadline (tokens and interrupts have none). */
  public boolean hasDeadline() {
    return hasDeadline;
  }

  /** The time left before the deadline (zero once it passed), or empty without a deadline. */
  public Optional<Duration> remaining() {
    if (!hasDeadline) {
      return Optional.empty();
    }
    return Optional.of(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
  }

  private boolean deadlinePassed() {
    return hasDeadline && deadline - System.nanoTime() <= 0;
  }

  private CancelledException.@Nullable Reason why() {
    if (Thread.currentThread().isInterrupted()) {
      return CancelledException.Reason.INTERRUPTED;
    }
    for (AtomicBoolean t : tokens) {
      if (t.get()) {
        return CancelledException.Reason.CANCELLED;
      }
    }
    return deadlinePassed() ? CancelledException.Reason.DEADLINE : null;
  }

  private String message(CancelledException.Reason why) {
    return switch (why) {
      case INTERRUPTED -> "stopped: the thread was interrupted";
      case CANCELLED -> "stopped: cancelled";
      case DEADLINE -> "stopped: the deadline " + deadlineText + " passed "
          + millis(Duration.ofNanos(System.nanoTime() - deadline)) + " ago";
    };
  }

  private static long nanos(Duration d) {
    if (d.isNegative()) {
      return 0;
    }
    return d.compareTo(Duration.ofNanos(MAX_NANOS)) > 0 ? MAX_NANOS : d.toNanos();
  }

  private static String millis(Duration d) {
    if (Math.abs(d.getSeconds()) >= 10) {
      return Math.abs(d.getSeconds()) < 1_000_000_000L ? d.toMillis() + " ms" : d.getSeconds() + " s";
    }
    long micros = d.toNanos() / 1000;
    return micros % 1000 == 0 || micros >= 10_000 ? (micros / 1000) + " ms"
        : String.format(java.util.Locale.ROOT, "%.3f ms", micros / 1000.0);
  }

  @Override
  public String toString() {
    if (tokens.isEmpty() && !hasDeadline) {
      return "Cancellation.none()";
    }
    String left = remaining().map(r -> "deadline " + deadlineText + ", " + millis(r) + " left").orElse(null);
    String token = tokens.isEmpty() ? null : tokens.stream().anyMatch(AtomicBoolean::get) ? "cancelled" : "token";
    return "Cancellation[" + (token == null ? left : left == null ? token : token + ", " + left) + "]";
  }
}
