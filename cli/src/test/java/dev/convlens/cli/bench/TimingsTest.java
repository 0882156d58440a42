package dev.convlens.cli.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class TimingsTest {
  @Test
  void quantilesInterpolateLikeNumpy() {
    // sorted 1 2 3 4: the q-quantile sits at position q * 3, e.g. 0.25 -> 0.75 -> 1 + 0.75 * (2 - 1)
    Timings t = new Timings(List.of(4.0, 1.0, 3.0, 2.0));
    assertEquals(2.5, t.median(), 1e-12);
    assertEquals(2.5, t.mean(), 1e-12);
    assertEquals(1.75, t.quantile(0.25), 1e-12);
    assertEquals(3.25, t.quantile(0.75), 1e-12);
    assertEquals(1.5, t.iqr(), 1e-12);
    assertEquals(1.0, t.min());
    assertEquals(4.0, t.max());
    assertEquals(List.of(4.0, 1.0, 3.0, 2.0), t.millis(), "samples keep their order");
  }

  @Test
  void oddCountMedianIsTheMiddleValue() {
    assertEquals(5.0, new Timings(List.of(9.0, 5.0, 1.0)).median());
  }

  @Test
  void nanosBecomeMillis() {
    assertEquals(List.of(1.5, 2.0), Timings.ofNanos(new long[] {1_500_000, 2_000_000}).millis());
  }

  @Test
  void copiesItsSamplesAndRejectsBadInput() {
    List<Double> samples = new ArrayList<>(List.of(1.0, 2.0));
    Timings t = new Timings(samples);
    samples.add(100.0);
    assertEquals(2, t.count());
    assertThrows(UnsupportedOperationException.class, () -> t.millis().add(3.0));
    assertThrows(IllegalArgumentException.class, () -> new Timings(List.of()));
    assertThrows(IllegalArgumentException.class, () -> t.quantile(1.5));
  }
}
