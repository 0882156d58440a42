package dev.convlens.finetune.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HistoryTest {
  @TempDir
  Path tmp;

  static History twoPhases() {
    return new History(List.of(
        new EpochMetrics("head", 1, 1, 0.7, 0.5, 0.6, 0.6, 1.25, true),
        new EpochMetrics("head", 2, 2, 0.5, 0.75, 0.55, 0.7, 1.0, true)))
        .then(new History(List.of(new EpochMetrics("fine_tune", 3, 1, 0.4, 0.8, Double.NaN, Double.NaN, 2.0, false))));
  }

  @Test
  void jsonHasKerasHistoryKeysAndOneRecordPerEpoch() throws Exception {
    twoPhases().writeJson(tmp.resolve("h.json"));
    JsonNode j = new ObjectMapper().readTree(tmp.resolve("h.json").toFile());
    assertEquals("[0.7,0.5,0.4]", j.get("loss").toString());
    assertEquals("[0.6,0.7,null]", j.get("val_accuracy").toString());
    assertEquals("fine_tune", j.get("epochs").get(2).get("phase").asText());
    assertEquals(1, j.get("epochs").get(2).get("phase_epoch").asInt());
  }

  @Test
  void csvHasOneLinePerEpochAndEmptyCellsWithoutValidation() {
    String[] lines = twoPhases().toCsv().split("\n");
    assertEquals("epoch,phase,accuracy,loss,val_accuracy,val_loss,seconds,prefix_cached", lines[0]);
    assertEquals("1,head,0.5,0.7,0.6,0.6,1.250,true", lines[1]);
    assertEquals("3,fine_tune,0.8,0.4,,,2.000,false", lines[3]);
  }

  @Test
  void plotIsAPngWithTwoPanels() throws Exception {
    Path png = tmp.resolve("curves.png");
    twoPhases().plot(png);
    BufferedImage img = ImageIO.read(png.toFile());
    assertEquals(1120, img.getWidth());
    assertEquals(420, img.getHeight());
    assertTrue(Files.size(png) > 1000);
    assertEquals(0.7, twoPhases().bestValAccuracy(), 1e-9);
  }
}
