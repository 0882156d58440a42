package dev.convlens.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.PipedReader;
import java.io.PipedWriter;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** {@code convlens serve}: serves the models it is given until interrupted; bad options are usage errors. */
class ServeCommandTest {
  @Test
  void servesTheNamedModelUntilInterrupted() throws Exception {
    PipedWriter pipe = new PipedWriter();
    BufferedReader lines = new BufferedReader(new PipedReader(pipe, 1 << 16));
    StringWriter err = new StringWriter();
    Thread[] runner = new Thread[1];
    CompletableFuture<Integer> exit = new CompletableFuture<>();
    runner[0] = new Thread(() -> exit.complete(Main.run(new String[] {"serve", "--port", "0", "--model",
        "demo=../saved_models/shapes"}, new PrintWriter(pipe, true), new PrintWriter(err, true))));
    runner[0].start();
    String first = lines.readLine();
    Matcher m = Pattern.compile("convlens serve: (http://127\\.0\\.0\\.1:\\d+/) \\(models: demo\\)").matcher(first == null ? "" : first);
    assertTrue(m.find(), first + " / " + err);
    URI base = URI.create(m.group(1));
    HttpClient http = HttpClient.newHttpClient();
    HttpResponse<String> models = http.send(HttpRequest.newBuilder(base.resolve("v1/models")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(200, models.statusCode());
    assertTrue(models.body().contains("\"name\":\"demo\""), models.body());
    assertEquals(200, http.send(HttpRequest.newBuilder(base.resolve("ready")).build(), HttpResponse.BodyHandlers.ofString())
        .statusCode());
    runner[0].interrupt();
    int code = exit.get(60, TimeUnit.SECONDS);
    assertEquals(1, code, "interrupted: the server closed, the command reports the interruption");
  }

  @Test
  void badOptionsAreUsageErrors() {
    CliRun noName = CliRun.of("serve", "--model", "just-a-path");
    assertEquals(2, noName.code(), noName.err());
    CliRun badName = CliRun.of("serve", "--model", "a b=../saved_models/shapes", "--port", "0");
    assertEquals(2, badName.code(), badName.err());
    assertTrue(badName.err().contains("model name 'a b'"), badName.err());
    CliRun badPort = CliRun.of("serve", "--port", "70000");
    assertEquals(2, badPort.code(), badPort.err());
  }

  @Test
  void aModelThatDoesNotLoadIsOneLine() {
    Main.verbose = false; // a static option: an earlier --verbose run in this JVM would still be on
    CliRun r = CliRun.of("serve", "--port", "0", "--model", "x=does/not/exist");
    assertEquals(1, r.code(), r.err());
    assertTrue(r.err().strip().startsWith("convlens: ") && r.err().contains("does/not/exist"), r.err());
  }
}
