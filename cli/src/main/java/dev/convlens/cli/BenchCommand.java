package dev.convlens.cli;

import dev.convlens.cli.bench.ActivationsBench;
import dev.convlens.cli.bench.CancelBench;
import dev.convlens.cli.bench.FiltersBenchCommand;
import dev.convlens.cli.bench.FinetuneBench;
import dev.convlens.cli.bench.GradCamBenchCommand;
import dev.convlens.cli.bench.ServeBench;
import dev.convlens.cli.bench.ServeLoadBench;
import dev.convlens.cli.bench.ServingBench;
import dev.convlens.cli.bench.SparkBench;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code convlens bench}: timing commands; they print figures and exit 0, whatever the figures. */
@Command(name = "bench", mixinStandardHelpOptions = true,
    description = "Benchmarks: how long convlens takes, under which settings.",
    subcommands = {ForwardBenchCommand.class, ForwardBenchCommand.Worker.class, ActivationsBench.class,
        FiltersBenchCommand.class, GradCamBenchCommand.class, FinetuneBench.class, ServingBench.class,
        ServeBench.class, ServeLoadBench.class, CancelBench.class, SparkBench.class})
final class BenchCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Override
  public Integer call() {
    throw new ParameterException(spec.commandLine(),
        "missing subcommand: forward, activations, filters, gradcam, finetune, serving, serve, serve-load, cancel or spark");
  }
}
