package dev.convlens.cli.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class PairedComparisonTest {
  @Test
  void consistentlySlowerSideHasASmallPValue() {
    // 10 pairs, each 10 % slower: every signed rank is positive, exact two-sided p = 2 / 2^10.
    List<Double> base = new ArrayList<>();
    List<Double> slow = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      base.add(100.0 + i * 7);
      slow.add((100.0 + i * 7) * 1.1);
    }
    PairedComparison p = PairedComparison.of(new Timings(slow), new Timings(base));
    assertEquals(10, p.pairs());
    assertEquals(10.0, p.medianChangePercent(), 1e-9);
    assertEquals(2.0 / 1024, p.pValue(), 1e-9);
  }

  @Test
  void mixedDifferencesAreNotSignificant() {
    Timings a = new Timings(List.of(101.0, 99.0, 102.0, 98.0, 100.5, 99.5));
    Timings b = new Timings(List.of(100.0, 100.0, 100.0, 100.0, 100.0, 100.0));
    assertTrue(PairedComparison.of(a, b).pValue() > 0.5);
  }

  @Test
  void degenerateInputs() {
    assertTrue(Double.isNaN(PairedComparison.of(new Timings(List.of(1.0)), new Timings(List.of(2.0))).pValue()));
    Timings same = new Timings(List.of(1.0, 2.0, 3.0));
    assertTrue(Double.isNaN(PairedComparison.of(same, same).pValue()));
    assertEquals(0.0, PairedComparison.of(same, same).medianChangePercent(), 1e-12);
    assertThrows(IllegalArgumentException.class, () -> PairedComparison.of(same, new Timings(List.of(1.0))));
  }
}
