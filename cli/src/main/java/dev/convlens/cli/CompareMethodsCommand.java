package dev.convlens.cli;

import dev.convlens.bridge.InvalidInputException;
import dev.convlens.bridge.KerasModel;
import dev.convlens.bridge.image.ClassNames;
import dev.convlens.bridge.image.Preprocessing;
import dev.convlens.cli.compare.Comparison;
import dev.convlens.cli.compare.LabeledImages;
import dev.convlens.cli.report.ComparisonPage;
import dev.convlens.visualize.cam.AttributionMethod;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

@Command(name = "compare-methods", mixinStandardHelpOptions = true,
    description = {"Which attribution method to trust on this model and data: run every method (or --methods) on a "
        + "labeled folder, score each map of the true class (pointing game with --boxes, deletion and insertion AUC, "
        + "ROAD, average drop and increase, the model-randomization check) and write an HTML report ranking them, "
        + "with 95 % intervals, the cost per image and the maps side by side."})
final class CompareMethodsCommand implements Callable<Integer> {
  @Mixin
  ModelOptions model;

  @Mixin
  InputOptions inputs;

  @Mixin
  TimeoutOption timeout;

  @Option(names = "--data", required = true, paramLabel = "DIR", description = "One sub-folder of images per class.")
  Path data;

  @Option(names = "--boxes", paramLabel = "FILE.csv",
      description = "Object boxes: file,left,top,right,bottom (file relative to --data, pixels of the file).")
  @Nullable Path boxes;

  @Option(names = "--methods", split = ",", paramLabel = "M",
      description = "Methods to compare (default: all): CAM methods and saliency, ig, guided.")
  @Nullable List<String> methods;

  @Option(names = "--limit", defaultValue = "200", paramLabel = "N", description = "Images at most (default ${DEFAULT-VALUE}).")
  int limit;

  @Option(names = "--sanity-images", defaultValue = "10", paramLabel = "N",
      description = "Images for the model-randomization check (default ${DEFAULT-VALUE}).")
  int sanityImages;

  @Option(names = "--randomized-layers", defaultValue = "3", paramLabel = "K",
      description = "Layers with weights re-initialised from the output down (default ${DEFAULT-VALUE}).")
  int randomizedLayers;

  @Option(names = "--tolerance", paramLabel = "PX",
      description = "Pointing game tolerance in input pixels (default: the paper's 15 at 224 px, scaled to the input).")
  @Nullable Integer tolerance;

  @Option(names = "--show", defaultValue = "6", paramLabel = "N", description = "Images whose maps the report shows (default ${DEFAULT-VALUE}).")
  int show;

  @Option(names = "--out", defaultValue = "convlens-compare", paramLabel = "DIR", description = "Report folder (default ${DEFAULT-VALUE}).")
  Path out;

  @Spec
  picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    List<AttributionMethod> chosen = new ArrayList<>();
    try {
      for (String m : methods == null ? AttributionMethod.all().stream().map(AttributionMethod::cliName).toList() : methods) {
        chosen.add(AttributionMethod.parse(m.trim()));
      }
    } catch (InvalidInputException e) {
      throw new ParameterException(spec.commandLine(), "--methods: " + e.getMessage());
    }
    if (limit < 1 || sanityImages < 0 || randomizedLayers < 1 || show < 0) {
      throw new ParameterException(spec.commandLine(), "--limit and --randomized-layers must be at least 1, "
          + "--sanity-images and --show at least 0");
    }
    PrintWriter err = spec.commandLine().getErr();
    try (KerasModel m = model.load(false)) {
      Preprocessing mode = inputs.preprocessing(model);
      long[] in = m.inputShape();
      ClassNames names = inputs.classNames(model, InputOptions.outputCount(m));
      List<LabeledImages.Sample> samples = LabeledImages.read(data, boxes, names, (int) in[1], (int) in[2], mode, limit);
      int tol = tolerance != null ? tolerance : (int) Math.round(15.0 * Math.min(in[1], in[2]) / 224);
      Comparison.Options options = new Comparison.Options(chosen, tol, sanityImages, randomizedLayers, show,
          timeout.start(), (done, total) -> {
            err.printf(Locale.ROOT, "\rcomparing %d methods on %d images %s %d/%d", chosen.size(), samples.size(),
                ProgressBar.bar(done, total), done, total);
            if (done.equals(total)) {
              err.println();
            }
            err.flush();
          });
      Comparison.Result result = Comparison.run(m, samples, options);
      if (result.stopReason() != null) {
        err.println();
        err.println("stopped: " + result.stopReason() + "; reporting the " + result.images() + " images done");
      }
      Path page = ComparisonPage.write(result, out, m.name(), data.toString(), String.join(", ", names.labels()));
      PrintWriter stdout = spec.commandLine().getOut();
      stdout.printf(Locale.ROOT, "%-14s %10s %9s %9s %9s%n", "method", "ms/image", "pointing", "deletion", "insertion");
      for (Comparison.MethodScores s : result.methods()) {
        stdout.printf(Locale.ROOT, "%-14s %10.1f %9s %9.3f %9.3f%n", s.method().cliName(), median(s.millis()),
            s.hits().isEmpty() ? "-" : String.format(Locale.ROOT, "%.3f", s.hits().stream().filter(h -> h).count()
                / (double) s.hits().size()), mean(s.deletion()), mean(s.insertion()));
      }
      stdout.println("report: " + page);
      return result.stopReason() == null ? 0 : 3;
    }
  }

  private static double mean(List<Double> v) {
    return v.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
  }

  private static double median(List<Double> v) {
    double[] s = v.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    return s.length == 0 ? Double.NaN : s[s.length / 2];
  }
}
