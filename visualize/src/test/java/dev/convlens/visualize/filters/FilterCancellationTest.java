package dev.convlens.visualize.filters;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convlens.bridge.Cancellation;
import dev.convlens.bridge.CancelledException;
import dev.convlens.bridge.KerasModel;
import dev.convlens.bridge.LoadOptions;
import dev.convlens.bridge.fixtures.FixtureBuilder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Filter visualization stops between ascent steps, and so between filters, when its cancellation says so. */
class FilterCancellationTest {
  private static KerasModel model;

  @BeforeAll
  static void build() {
    var f = FixtureBuilder.functional("tiny").seed(5).input("image", 16, 16, 3)
        .rescaling("rescale", 1 / 127.5, -1.0).conv2d("conv_a", 8, 3, "same", "relu").maxPool("pool", 2)
        .conv2d("conv_b", 6, 3, "same", "relu").flatten("flat").dense("dense", 2, "softmax").build();
    model = KerasModel.fromConfig(f.modelConfig().toString(), f.weightSource(), LoadOptions.defaults());
  }

  @AfterAll
  static void close() {
    model.close();
  }

  @AfterEach
  void clearInterrupt() {
    Thread.interrupted();
  }

  @Test
  void cancellingAfterTheSecondFilterStopsBeforeTheThird() {
    FilterVisualizer v = FilterVisualizer.of(model, "conv_b");
    FilterOptions options = FilterOptions.defaults().withSteps(5).oneByOne();
    Cancellation token = Cancellation.token();
    List<FilterProgress> events = new ArrayList<>();
    CancelledException e = assertThrows(CancelledException.class,
        () -> v.run(List.of(0, 1, 2, 3), options.withCancellation(token), p -> {
          events.add(p);
          if (p.filtersDone() == 1 && p.step() == p.steps()) {
            token.cancel();
          }
        }));
    assertEquals(CancelledException.Reason.CANCELLED, e.reason());
    assertEquals(10, events.size(), "5 steps of filter 0, 5 of filter 1, none of filter 2");
    assertEquals(new FilterProgress(1, 4, 1, 5, 5, events.get(9).loss()), events.get(9));

    // the next call works and gives what it gives without any cancellation
    List<FilterResult> again = v.run(List.of(2), options);
    assertArrayEquals(again.get(0).input().data(),
        FilterVisualizer.of(model, "conv_b").run(List.of(2), options.withCancellation(Cancellation.token())).get(0)
            .input().data());
  }

  @Test
  void cancellingMidBatchStopsBetweenSteps() {
    FilterVisualizer v = FilterVisualizer.of(model, "conv_b");
    Cancellation token = Cancellation.token();
    List<FilterProgress> events = new ArrayList<>();
    assertThrows(CancelledException.class, () -> v.run(List.of(0, 1, 2, 3, 4, 5),
        FilterOptions.defaults().withSteps(40).withCancellation(token), p -> {
          events.add(p);
          if (p.step() == 3) {
            token.cancel();
          }
        }));
    assertEquals(3, events.size(), "whole-layer mode: one batch, stopped after its third step");
    assertEquals(6, events.get(2).batchFilters());
  }

  @Test
  void aPassedDeadlineThrowsBeforeTheFirstStep() {
    List<FilterProgress> events = new ArrayList<>();
    CancelledException e = assertThrows(CancelledException.class, () -> FilterVisualizer.of(model, "conv_a")
        .run(List.of(0), FilterOptions.defaults().withCancellation(Cancellation.after(Duration.ZERO)), events::add));
    assertEquals(CancelledException.Reason.DEADLINE, e.reason());
    assertTrue(events.isEmpty());
    assertThrows(dev.convlens.bridge.InvalidInputException.class, () -> FilterOptions.defaults().withCancellation(null));
  }

  @Test
  void anInterruptedThreadIsStoppedAndKeepsTheFlag() {
    FilterVisualizer v = FilterVisualizer.of(model, "conv_a");
    Thread.currentThread().interrupt();
    CancelledException e = assertThrows(CancelledException.class, () -> v.run(0, FilterOptions.defaults()));
    assertEquals(CancelledException.Reason.INTERRUPTED, e.reason());
    assertTrue(Thread.interrupted());
    assertEquals(2, v.run(0, FilterOptions.defaults().withSteps(2)).losses().size());
  }
}
