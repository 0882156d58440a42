package dev.convlens.cli.compare;

import dev.convlens.bridge.Cancellation;
import dev.convlens.bridge.CancelledException;
import dev.convlens.bridge.FloatTensor;
import dev.convlens.bridge.InvalidInputException;
import dev.convlens.bridge.KerasModel;
import dev.convlens.cli.compare.LabeledImages.Sample;
import dev.convlens.visualize.cam.AttributionMethod;
import dev.convlens.visualize.cam.AttributionOptions;
import dev.convlens.visualize.cam.Attributor;
import dev.convlens.visualize.cam.CamOptions;
import dev.convlens.visualize.cam.Heatmap;
import dev.convlens.visualize.cam.Target;
import dev.convlens.visualize.metrics.ConfidenceChange;
import dev.convlens.visualize.metrics.CurveOptions;
import dev.convlens.visualize.metrics.DeletionInsertion;
import dev.convlens.visualize.metrics.PointingGame;
import dev.convlens.visualize.metrics.RandomizationCheck;
import dev.convlens.visualize.metrics.RandomizationOptions;
import dev.convlens.visualize.metrics.Road;
import dev.convlens.visualize.metrics.RoadOptions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import org.jspecify.annotations.Nullable;

/**
 * Runs every method on every image, the image the outer loop so that a deadline leaves all methods
 * with the same images, and scores each map of the true class: the pointing game (with a box),
 * deletion and insertion AUC, ROAD (most relevant first), the change in confidence, and on the
 * first {@link Options#sanityImages()} images the model-randomization check.
 */
public final class Comparison {
  private Comparison() {}

  /**
   * @param methods the methods to compare, in report order
   * @param tolerance the pointing game's tolerance in input pixels
   * @param sanityImages how many images get the randomization check (two model copies per method and image)
   * @param shownImages how many images' maps the report shows side by side
   * @param progress called with (done, total) method-image pairs
   */
  public record Options(List<AttributionMethod> methods, int tolerance, int sanityImages, int randomizedLayers,
      int shownImages, Cancellation cancellation, BiConsumer<Integer, Integer> progress) {
    public Options {
      if (methods == null || methods.isEmpty()) {
        throw new InvalidInputException("compare at least one method");
      }
      methods = List.copyOf(methods);
    }
  }

  /** One method's per-image values (lists in image order; the randomization list covers the sanity images). */
  public record MethodScores(AttributionMethod method, String layer, List<Double> millis, List<Boolean> hits,
      List<Double> deletion, List<Double> insertion, List<Double> road, List<ConfidenceChange> changes,
      List<Double> randomization, int constantUnderRandomization, List<Heatmap> shown) {}

  /**
   * @param images how many images every method was scored on
   * @param stopReason why the run stopped before the last image, or null
   */
  public record Result(List<MethodScores> methods, List<Sample> shown, int images, @Nullable String stopReason) {}

  public static Result run(KerasModel model, List<Sample> samples, Options options) {
    Cancellation stop = options.cancellation();
    Map<AttributionMethod, Attributor> attributors = new LinkedHashMap<>();
    for (AttributionMethod m : options.methods()) {
      attributors.put(m, Attributor.of(model, m).withCancellation(stop));
    }
    List<Acc> acc = new ArrayList<>();
    for (Attributor a : attributors.values()) {
      acc.add(new Acc(a));
    }
    int total = samples.size() * acc.size();
    int done = 0;
    int images = 0;
    String stopReason = null;
    CurveOptions curves = CurveOptions.defaults().withCancellation(stop);
    RoadOptions road = RoadOptions.defaults().withCancellation(stop);
    try {
      for (int i = 0; i < samples.size(); i++) {
        Sample s = samples.get(i);
        List<Runnable> commit = new ArrayList<>();
        for (Acc a : acc) {
          commit.add(score(model, a, s, i, options, curves, road));
          options.progress().accept(++done, total);
        }
        commit.forEach(Runnable::run); // an image counts only once every method has it
        images++;
      }
    } catch (CancelledException e) {
      stopReason = e.getMessage();
    }
    List<MethodScores> out = new ArrayList<>();
    for (Acc a : acc) {
      out.add(a.result());
    }
    return new Result(List.copyOf(out), samples.subList(0, Math.min(images, options.shownImages())), images, stopReason);
  }

  /** Scores one image with one method; the returned action adds the values (so a stop mid-image adds none). */
  private static Runnable score(KerasModel model, Acc a, Sample s, int index, Options o, CurveOptions curves,
      RoadOptions road) {
    long start = System.nanoTime();
    Heatmap h = a.attributor.explain(s.input(), List.of(Target.classIndex(s.label()))).get(0);
    double ms = (System.nanoTime() - start) / 1e6;
    FloatTensor map = h.normalized();
    int height = (int) s.input().dim(0);
    int width = (int) s.input().dim(1);
    Boolean hit = s.box() == null ? null : PointingGame.hit(map, height, width, s.box(), o.tolerance());
    double deletion = DeletionInsertion.deletion(model, s.input(), s.label(), map, curves).auc();
    double insertion = DeletionInsertion.insertion(model, s.input(), s.label(), map, curves).auc();
    double roadMean = Road.curve(model, s.input(), s.label(), map, road).mean();
    ConfidenceChange change = ConfidenceChange.measure(model, s.input(), s.label(), map, o.cancellation());
    Double correlation = null;
    if (index < o.sanityImages()) {
      AttributionMethod method = a.attributor.method();
      double[] c = RandomizationCheck.run(model, s.input(), s.label(),
          (m, x, k) -> Attributor.of(m, method, CamOptions.defaults(), AttributionOptions.defaults())
              .explain(x, List.of(Target.classIndex(k))).get(0).normalized(),
          RandomizationOptions.defaults().withLayers(o.randomizedLayers()).withCancellation(o.cancellation()))
          .correlations();
      correlation = c[c.length - 1];
    }
    Double r = correlation;
    return () -> a.add(ms, hit, deletion, insertion, roadMean, change, r, index < o.shownImages() ? h : null);
  }

  /** One method's values so far. */
  private static final class Acc {
    final Attributor attributor;
    final List<Double> millis = new ArrayList<>();
    final List<Boolean> hits = new ArrayList<>();
    final List<Double> deletion = new ArrayList<>();
    final List<Double> insertion = new ArrayList<>();
    final List<Double> road = new ArrayList<>();
    final List<ConfidenceChange> changes = new ArrayList<>();
    final List<Double> randomization = new ArrayList<>();
    final List<Heatmap> shown = new ArrayList<>();
    int constant;

    Acc(Attributor attributor) {
      this.attributor = attributor;
    }

    void add(double ms, @Nullable Boolean hit, double del, double ins, double roadMean, ConfidenceChange change,
        @Nullable Double correlation, @Nullable Heatmap show) {
      millis.add(ms);
      if (hit != null) {
        hits.add(hit);
      }
      deletion.add(del);
      insertion.add(ins);
      road.add(roadMean);
      changes.add(change);
      if (correlation != null) {
        if (Double.isNaN(correlation)) {
          constant++; // a map that is constant on the randomized model has no rank order to compare
        } else {
          randomization.add(correlation);
        }
      }
      if (show != null) {
        shown.add(show);
      }
    }

    MethodScores result() {
      return new MethodScores(attributor.method(), attributor.layer(), List.copyOf(millis), List.copyOf(hits),
          List.copyOf(deletion), List.copyOf(insertion), List.copyOf(road), List.copyOf(changes),
          List.copyOf(randomization), constant, List.copyOf(shown));
    }
  }
}
