package dev.convlens.cli.bench;

import dev.convlens.bridge.ConvlensException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A setting's model in a JVM of its own, driven through {@link ForwardWorker}'s line protocol.
 * Needed because TensorFlow sizes its intra-op thread pool once per process, from the first
 * session created (and its inter-op pool too, unless a session asks for threads of its own): a
 * second model loaded in the same process with other thread counts silently uses the first one's
 * pools. The worker times each pass itself, so the pipe is not in the figures.
 */
public final class WorkerProcess implements ForwardEndpoint {
  private final ForwardSetting setting;
  private final Process process;
  private final Path errors;
  private final PrintWriter requests;
  private final BufferedReader answers;
  private final long[] inputShape;

  private WorkerProcess(ForwardSetting setting, Process process, Path errors) {
    this.setting = setting;
    this.process = process;
    this.errors = errors;
    this.requests = new PrintWriter(process.getOutputStream(), true, StandardCharsets.UTF_8);
    this.answers = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    String ready = answer("ready");
    this.inputShape = ForwardWorker.parseShape(ready.substring("ready ".length()));
  }

  /**
   * Starts {@code java -cp <this JVM's class path> <mainClass> <args>} with this JVM's Java and
   * environment ({@link ForwardSetting#ONEDNN_VARIABLE} set as the setting says) and waits until
   * its model is loaded.
   */
  public static WorkerProcess start(ForwardSetting setting, String mainClass, List<String> args) {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(mainClass);
    command.addAll(args);
    Path errors;
    Process p;
    try {
      errors = Files.createTempFile("convlens-worker-", ".log");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create the worker's error log", e);
    }
    try {
      ProcessBuilder b = new ProcessBuilder(command).redirectError(errors.toFile());
      // TensorFlow Java's build leaves oneDNN off unless the variable says 1
      if (setting.onednn()) {
        b.environment().put(ForwardSetting.ONEDNN_VARIABLE, "1");
      } else {
        b.environment().remove(ForwardSetting.ONEDNN_VARIABLE);
      }
      p = b.start();
    } catch (IOException e) {
      deleteQuietly(errors);
      throw new UncheckedIOException("cannot start a worker JVM for setting " + setting.label(), e);
    }
    try {
      return new WorkerProcess(setting, p, errors);
    } catch (RuntimeException e) {
      p.destroyForcibly();
      deleteQuietly(errors);
      throw e;
    }
  }

  private static void deleteQuietly(Path file) {
    try {
      Files.deleteIfExists(file);
    } catch (IOException e) {
      // a leftover temporary file is harmless
    }
  }

  @Override
  public ForwardSetting setting() {
    return setting;
  }

  @Override
  public long[] inputShape() {
    return inputShape.clone();
  }

  @Override
  public Call forward(int batch) {
    requests.println("forward " + batch);
    String a = answer("ok");
    String[] parts = a.split(" ");
    return new Call(Long.parseLong(parts[1]), Long.parseLong(parts[2]), ForwardWorker.parseShape(parts[3]));
  }

  /** The worker's next line, which must start with {@code expected}; its stderr's tail otherwise. */
  private String answer(String expected) {
    String line;
    try {
      line = answers.readLine();
    } catch (IOException e) {
      line = null;
    }
    if (line != null && line.startsWith(expected + " ")) {
      return line;
    }
    String why = line == null ? "ended" : line.startsWith("error ") ? "failed: " + line.substring(6) : "said '" + line + "'";
    throw new ConvlensException("worker for setting " + setting.label() + " " + why + lastErrors());
  }

  private String lastErrors() {
    try {
      List<String> lines = Files.readAllLines(errors, StandardCharsets.UTF_8);
      List<String> tail = lines.subList(Math.max(0, lines.size() - 5), lines.size());
      return tail.isEmpty() ? "" : "; its last errors: " + String.join(" | ", tail);
    } catch (IOException | UncheckedIOException e) {
      return "";
    }
  }

  @Override
  public void close() {
    requests.close(); // the worker exits at the end of its input
    try {
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
    try {
      answers.close();
    } catch (IOException e) {
      // the worker is gone either way
    }
    deleteQuietly(errors);
  }
}
