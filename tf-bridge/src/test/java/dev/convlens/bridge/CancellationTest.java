package dev.convlens.bridge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Deadlines, tokens, their combinations and the interrupt flag, without a model. */
class CancellationTest {
  @AfterEach
  void clearInterrupt() {
    Thread.interrupted();
  }

  @Test
  void noneNeverStopsAnUninterruptedThread() {
    Cancellation.none().check();
    assertFalse(Cancellation.none().isCancelled());
    assertTrue(Cancellation.none().remaining().isEmpty());
    assertThrows(IllegalStateException.class, () -> Cancellation.none().cancel());
  }

  @Test
  void aPassedDeadlineSaysWhichDeadline() {
    CancelledException e = assertThrows(CancelledException.class, () -> Cancellation.after(Duration.ZERO).check());
    assertEquals(CancelledException.Reason.DEADLINE, e.reason());
    assertTrue(e.getMessage().contains("deadline of 0 ms passed"), e.getMessage());
    assertEquals(Duration.ZERO, Cancellation.after(Duration.ofMillis(-5)).remaining().orElseThrow());

    Instant past = Instant.parse("2020-01-01T00:00:00Z");
    CancelledException at = assertThrows(CancelledException.class, () -> Cancellation.at(past).check());
    assertTrue(at.getMessage().contains("deadline 2020-01-01T00:00:00Z passed"), at.getMessage());
  }

  @Test
  void aFutureDeadlineLetsTheCallGoOn() {
    Cancellation c = Cancellation.after(Duration.ofHours(1));
    c.check();
    Duration left = c.remaining().orElseThrow();
    assertTrue(left.compareTo(Duration.ofHours(1)) <= 0 && !left.isNegative(), left.toString());
    assertTrue(c.hasDeadline());
    Cancellation.at(Instant.now().plus(Duration.ofDays(1))).check();
    Cancellation.after(Duration.ofSeconds(Long.MAX_VALUE)).check(); // saturates instead of overflowing
  }

  @Test
  void aTokenStopsEveryCopyMadeFromIt() {
    Cancellation token = Cancellation.token();
    Cancellation copy = token.withTimeout(Duration.ofHours(1));
    token.check();
    copy.check();
    assertFalse(token.hasDeadline());
    assertTrue(copy.hasDeadline());
    copy.cancel();
    CancelledException e = assertThrows(CancelledException.class, token::check);
    assertEquals(CancelledException.Reason.CANCELLED, e.reason());
    assertEquals("stopped: cancelled", e.getMessage());
    assertTrue(copy.isCancelled());
    token.cancel(); // idempotent
  }

  @Test
  void combiningKeepsBothTokensAndTheEarlierDeadline() {
    Cancellation a = Cancellation.token();
    Cancellation b = Cancellation.token();
    Cancellation either = a.or(b);
    b.cancel();
    assertThrows(CancelledException.class, either::check);
    a.check();

    Cancellation passed = Cancellation.after(Duration.ZERO);
    assertEquals(CancelledException.Reason.DEADLINE,
        assertThrows(CancelledException.class, () -> passed.withTimeout(Duration.ofHours(1)).check()).reason());
    assertEquals(CancelledException.Reason.DEADLINE,
        assertThrows(CancelledException.class, () -> Cancellation.after(Duration.ofHours(1)).or(passed).check()).reason());
    assertEquals(CancelledException.Reason.DEADLINE,
        assertThrows(CancelledException.class, () -> Cancellation.token().or(passed).check()).reason());
    Cancellation.token().or(Cancellation.after(Duration.ofHours(1))).check();
  }

  @Test
  void anInterruptedThreadIsStoppedAndKeepsItsFlag() {
    Thread.currentThread().interrupt();
    CancelledException e = assertThrows(CancelledException.class, () -> Cancellation.none().check());
    assertEquals(CancelledException.Reason.INTERRUPTED, e.reason());
    assertTrue(e.getMessage().contains("interrupted"), e.getMessage());
    assertTrue(Thread.currentThread().isInterrupted(), "the interrupt flag is left set for the caller");
    assertTrue(Cancellation.after(Duration.ofHours(1)).isCancelled());
  }

  @Test
  void nullArgumentsAreNamed() {
    assertTrue(assertThrows(InvalidInputException.class, () -> Cancellation.after(null)).getMessage().contains("timeout"));
    assertTrue(assertThrows(InvalidInputException.class, () -> Cancellation.at(null)).getMessage().contains("deadline"));
    assertThrows(InvalidInputException.class, () -> Cancellation.token().or(null));
  }
}
