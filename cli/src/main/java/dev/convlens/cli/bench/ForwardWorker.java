package dev.convlens.cli.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * The worker side of {@link WorkerProcess}: a line protocol on stdin/stdout. The worker says
 * {@code ready <input shape>}, then answers each {@code forward <batch>} with
 * {@code ok <wall ns> <cpu ns> <output shape>} (or {@code error <message>}) until stdin closes.
 * Shapes are comma-separated.
 */
public final class ForwardWorker {
  private ForwardWorker() {
  }

  /** Serves {@code endpoint} until {@code in} ends or says {@code quit}. */
  public static void serve(ForwardEndpoint endpoint, BufferedReader in, PrintWriter out) {
    out.println("ready " + shape(endpoint.inputShape()));
    out.flush();
    try {
      for (String line = in.readLine(); line != null && !line.equals("quit"); line = in.readLine()) {
        out.println(answer(endpoint, line));
        out.flush();
      }
    } catch (IOException e) {
      throw new UncheckedIOException("worker lost its input", e);
    }
  }

  private static String answer(ForwardEndpoint endpoint, String line) {
    try {
      if (!line.startsWith("forward ")) {
        return "error unknown request '" + line + "'";
      }
      ForwardEndpoint.Call c = endpoint.forward(Integer.parseInt(line.substring(8).trim()));
      return "ok " + c.wallNanos() + " " + c.cpuNanos() + " " + shape(c.outputShape());
    } catch (RuntimeException e) {
      return "error " + String.valueOf(e.getMessage()).replace('\n', ' ');
    }
  }

  static String shape(long[] s) {
    return Arrays.stream(s).mapToObj(Long::toString).collect(Collectors.joining(","));
  }

  static long[] parseShape(String s) {
    return Arrays.stream(s.split(",")).mapToLong(Long::parseLong).toArray();
  }
}
