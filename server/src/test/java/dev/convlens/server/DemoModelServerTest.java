package dev.convlens.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.awt.image.BufferedImage;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The server on the real demo model: the answers a person and a script get, and the errors of bad uploads. */
class DemoModelServerTest {
  private static final byte[] TRIANGLE = TestImages.png(TestImages.triangle(96));
  private static ConvlensServer server;
  private static Http http;

  @BeforeAll
  static void start() {
    server = new ConvlensServer(ServerOptions.defaults().withPort(0).withModel("shapes", DemoModel.path())).start();
    http = new Http(server.uri());
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  @Test
  void describesTheDemoModel() {
    JsonNode m = Http.json(http.get("v1/models")).get("models").get(0);
    assertEquals("shapes", m.get("name").asText());
    assertEquals("[\"circle\",\"cross\",\"square\",\"triangle\"]", m.get("classes").toString());
    assertEquals(64, m.get("height").asInt());
    assertEquals(m.get("layers").get(m.get("layers").size() - 1).asText(), m.get("defaultLayer").asText());
    assertTrue(m.get("methods").toString().contains("gradcam++"));
    assertTrue(m.get("activationLayers").size() >= 4, m.toString());
  }

  @Test
  void predictsTheTriangle() {
    JsonNode p = Http.json(http.post("v1/models/shapes/predict", TRIANGLE)).get("predictions");
    assertEquals(4, p.size());
    assertEquals("triangle", p.get(0).get("label").asText());
    assertTrue(p.get(0).get("score").asDouble() > 0.5, p.toString());
    JsonNode top1 = Http.json(http.post("v1/models/shapes/predict?top=1", TRIANGLE)).get("predictions");
    assertEquals(1, top1.size());
  }

  @Test
  void explainsEachClassWithItsOwnMap() {
    JsonNode top = Http.json(http.post("v1/models/shapes/explain", TRIANGLE));
    assertEquals("triangle", top.get("target").get("label").asText());
    BufferedImage overlay = TestImages.decode(Base64.getDecoder().decode(top.get("overlay").asText()));
    assertEquals(96, overlay.getWidth(), "the overlay is drawn at the upload's size");
    JsonNode square = Http.json(http.post("v1/models/shapes/explain?class=square&map=normalized", TRIANGLE));
    JsonNode triangle = Http.json(http.post("v1/models/shapes/explain?class=triangle&map=normalized", TRIANGLE));
    assertEquals("square", square.get("target").get("label").asText());
    assertEquals(square.get("height").asInt(), square.get("values").size());
    assertNotEquals(square.get("values"), triangle.get("values"), "another class, another map");
    for (String method : new String[] {"gradcam-book", "gradcam", "gradcam-logit", "gradcam++", "layercam", "scorecam", "saliency", "ig", "guided"}) {
      HttpResponse<byte[]> r = http.post("v1/models/shapes/explain?format=png&method=" + method, TRIANGLE);
      assertEquals(200, r.statusCode(), method + ": " + new String(r.body(), StandardCharsets.UTF_8));
      assertEquals(96, TestImages.decode(r.body()).getHeight());
    }
  }

  @Test
  void drawsEveryActivationLayer() {
    for (JsonNode layer : Http.json(http.get("v1/models/shapes")).get("activationLayers")) {
      HttpResponse<byte[]> r = http.post("v1/models/shapes/activations?layer=" + layer.asText(), TRIANGLE);
      assertEquals(200, r.statusCode(), layer + ": " + new String(r.body(), StandardCharsets.UTF_8));
      assertTrue(TestImages.decode(r.body()).getWidth() > 64);
    }
  }

  @Test
  void badUploadsAre4xx() {
    byte[] truncated = Arrays.copyOf(TRIANGLE, TRIANGLE.length / 2);
    HttpResponse<byte[]> r = http.post("v1/models/shapes/predict", truncated);
    assertEquals(415, r.statusCode());
    assertTrue(Http.json(r).get("error").asText().contains("not an image convlens decodes"));
    HttpResponse<byte[]> text = http.post("v1/models/shapes/explain", "GIF89a, not really".getBytes(StandardCharsets.UTF_8));
    assertEquals(415, text.statusCode(), new String(text.body(), StandardCharsets.UTF_8));
    assertEquals(400, http.post("v1/models/shapes/explain?class=hexagon", TRIANGLE).statusCode());
  }
}
