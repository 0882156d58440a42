package dev.convlens.bridge.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.convlens.bridge.ConvlensException;
import dev.convlens.bridge.FloatTensor;
import dev.convlens.bridge.InvalidInputException;
import dev.convlens.bridge.ModelFormatException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClassNamesTest {
  @TempDir Path tmp;

  private static ClassNames imageNet() {
    Path f = GoldenImages.sharedData().resolve("imagenet_class_index.json");
    assumeTrue(Files.isRegularFile(f), "missing " + f);
    return ImageNetLabels.load(f);
  }

  @Test
  void loadsKerasClassIndex() {
    ClassNames names = imageNet();
    assertEquals(1000, names.size());
    assertEquals("tench", names.label(0));
    assertEquals("n01440764", names.id(0));
    assertEquals("African_elephant", names.label(386));
    assertEquals("n02504458", names.id(386));
  }

  @Test
  void decodesLikeKerasOnGoldenMobileNetOutput() {
    ClassNames names = imageNet();
    JsonNode out = GoldenImages.caseJson("A_mobilenet__elephant899").path("output");
    JsonNode probs = out.path("probabilities").get(0);
    float[] p = new float[probs.size()];
    for (int i = 0; i < p.length; i++) {
      p[i] = (float) probs.get(i).asDouble();
    }
    List<List<Prediction>> decoded = names.decodePredictions(FloatTensor.of(p, 1, 1000), 5);
    assertEquals(1, decoded.size());
    JsonNode top5 = out.path("top5").get(0);
    for (int r = 0; r < 5; r++) {
      Prediction got = decoded.get(0).get(r);
      JsonNode want = top5.get(r);
      assertEquals(want.path("index").asInt(), got.index());
      assertEquals(want.path("wnid").asText(), got.wnid());
      assertEquals(want.path("label").asText(), got.label());
      assertEquals(want.path("prob").asDouble(), got.score(), 1e-6);
    }
    assertEquals("1. African_elephant (386) 0.5159", decoded.get(0).get(0).format(1));
    assertThrows(UnsupportedOperationException.class, () -> decoded.get(0).add(decoded.get(0).get(0)));

    // a rank-1 vector is one sample
    assertEquals(decoded.get(0), names.decodePredictions(FloatTensor.of(p, 1000), 5).get(0));
  }

  @Test
  void bookStyleLine() {
    assertEquals("1. African_elephant (386) 0.9094", new Prediction(386, "n02504458", "African_elephant", 0.90942f).format(1));
    assertEquals("3. tusker (101) 0.0001", new Prediction(101, "n01871265", "tusker", 0.00012f).format(3));
  }

  @Test
  void orderingTiesNanAndTop() {
    ClassNames abcd = ClassNames.of("a", "b", "c", "d");
    List<Prediction> top = abcd.decodePredictions(FloatTensor.of(new float[] {0.1f, 0.5f, 0.5f, 0.2f}, 4), 3).get(0);
    assertEquals(List.of(1, 2, 3), top.stream().map(Prediction::index).toList());
    assertEquals("", top.get(0).wnid());
    assertEquals("b", top.get(0).label());

    List<Prediction> all = abcd.decodePredictions(FloatTensor.of(new float[] {0.1f, Float.NaN, 0.3f, 0.2f}, 4), 10).get(0);
    assertEquals(List.of(1, 2, 3, 0), all.stream().map(Prediction::index).toList(), "NaN first, like numpy argsort");

    List<List<Prediction>> batch = abcd.decodePredictions(
        FloatTensor.of(new float[] {1, 2, 3, 4, 4, 3, 2, 1}, 2, 4), 1);
    assertEquals(3, batch.get(0).get(0).index());
    assertEquals(0, batch.get(1).get(0).index());

    assertThrows(InvalidInputException.class, () -> abcd.decodePredictions(FloatTensor.of(new float[5], 5), 1));
    assertThrows(InvalidInputException.class, () -> abcd.decodePredictions(FloatTensor.of(new float[4], 4), 0));
    assertThrows(InvalidInputException.class, () -> abcd.decodePredictions(FloatTensor.of(new float[4], 1, 1, 4), 1));
  }

  @Test
  void sigmoidOutputWithTwoNames() {
    ClassNames catsDogs = ClassNames.of(List.of("cat", "dog"));
    List<List<Prediction>> d = catsDogs.decodePredictions(FloatTensor.of(new float[] {0.8195f, 0.25f}, 2, 1), 2);
    assertEquals("dog", d.get(0).get(0).label());
    assertEquals(0.8195f, d.get(0).get(0).score());
    assertEquals(1f - 0.8195f, d.get(0).get(1).score());
    assertEquals("cat", d.get(1).get(0).label());
    assertEquals(0.75f, d.get(1).get(0).score());
  }

  @Test
  void kerasCacheLookup() throws IOException {
    List<Path> places = ImageNetLabels.cacheLocations(Map.of("KERAS_HOME", "/opt/keras"), "/home/u");
    assertEquals(List.of(Path.of("/opt/keras/models/imagenet_class_index.json"),
        Path.of("/home/u/.keras/models/imagenet_class_index.json"),
        Path.of("/tmp/.keras/models/imagenet_class_index.json")), places);
    assertEquals(Path.of("/home/u/.keras/models/imagenet_class_index.json"),
        ImageNetLabels.cacheLocations(Map.of(), "/home/u").get(0));

    Path a = tmp.resolve("a/models/imagenet_class_index.json");
    Path b = tmp.resolve("b/models/imagenet_class_index.json");
    ConvlensException e = assertThrows(ConvlensException.class, () -> ImageNetLabels.loadFirst(List.of(a, b)));
    assertTrue(e.getMessage().contains(a.toString()) && e.getMessage().contains(b.toString()), e.getMessage());

    Files.createDirectories(b.getParent());
    Files.writeString(b, "{\"0\": [\"n1\", \"zero\"], \"1\": [\"n2\", \"one\"]}");
    ClassNames two = ImageNetLabels.loadFirst(List.of(a, b));
    assertEquals(List.of("zero", "one"), two.labels());
    assertEquals("n2", two.id(1));
  }

  @Test
  void malformedClassIndexNamesTheFile() throws IOException {
    for (String bad : List.of("[1, 2]", "{\"0\": [\"n1\", \"a\"], \"2\": [\"n2\", \"b\"]}", "{\"0\": \"tench\"}", "{not json", "")) {
      Path f = Files.writeString(tmp.resolve("bad.json"), bad);
      ModelFormatException e = assertThrows(ModelFormatException.class, () -> ImageNetLabels.load(f), bad);
      assertEquals(f, e.source());
    }
    assertThrows(ConvlensException.class, () -> ImageNetLabels.load(tmp.resolve("none.json")));
  }
}
