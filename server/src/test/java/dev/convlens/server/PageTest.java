package dev.convlens.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The page in a real browser on the demo model, as a person uses it: upload, the top classes,
 * click the second one (its heatmap replaces the first), switch method and layer, browse the
 * activations; the console stays free of errors throughout.
 */
class PageTest {
  @TempDir
  Path tmp;

  @Test
  void uploadThenClickTheSecondClassChangesTheHeatmap() throws Exception {
    Path image = tmp.resolve("triangle.png");
    Files.write(image, TestImages.png(TestImages.triangle(64)));
    try (ConvlensServer server = new ConvlensServer(ServerOptions.defaults().withPort(0).withModel("shapes",
        DemoModel.path())).start();
        Browser browser = Browser.open(Files.createDirectories(tmp.resolve("profile")))) {
      var driver = browser.driver;
      WebDriverWait wait = new WebDriverWait(driver, Duration.ofSeconds(60));
      driver.get(server.uri().toString());
      wait.until(d -> !d.findElements(By.cssSelector("#method option")).isEmpty());
      driver.findElement(By.id("file")).sendKeys(image.toString());

      wait.until(d -> d.findElements(By.cssSelector("#predictions button")).size() == 4);
      List<WebElement> classes = driver.findElements(By.cssSelector("#predictions button"));
      assertEquals("triangle", classes.get(0).findElement(By.className("label")).getText());
      WebElement heatmap = driver.findElement(By.id("heatmap"));
      wait.until(d -> "3".equals(heatmap.getDomAttribute("data-class"))); // triangle, the top class
      String first = heatmap.getDomProperty("src");

      classes.get(1).click();
      String second = classes.get(1).getDomAttribute("data-index");
      wait.until(d -> second.equals(heatmap.getDomAttribute("data-class")));
      assertNotEquals(first, heatmap.getDomProperty("src"), "the heatmap of the second class is another picture");
      assertTrue(classes.get(1).getDomAttribute("class").contains("selected"));

      new Select(driver.findElement(By.id("method"))).selectByValue("scorecam");
      wait.until(d -> "scorecam".equals(heatmap.getDomAttribute("data-method")));
      assertEquals(second, heatmap.getDomAttribute("data-class"), "switching the method keeps the class");
      Select layer = new Select(driver.findElement(By.id("layer")));
      String otherLayer = layer.getOptions().get(0).getDomProperty("value");
      assertNotEquals(otherLayer, heatmap.getDomAttribute("data-layer"), "the default is the last layer");
      layer.selectByValue(otherLayer);
      wait.until(d -> otherLayer.equals(heatmap.getDomAttribute("data-layer")));

      WebElement acts = driver.findElement(By.id("activations"));
      wait.until(d -> acts.getDomAttribute("data-layer") != null);
      Select actLayer = new Select(driver.findElement(By.id("activation-layer")));
      String lastLayer = actLayer.getOptions().get(actLayer.getOptions().size() - 1).getDomProperty("value");
      actLayer.selectByValue(lastLayer);
      wait.until(d -> lastLayer.equals(acts.getDomAttribute("data-layer")));
      wait.until(d -> Boolean.TRUE.equals(driver.executeScript("return arguments[0].complete && arguments[0].naturalWidth > 0", acts)));

      assertTrue(driver.findElement(By.id("error")).getDomProperty("hidden").equals("true"),
          driver.findElement(By.id("error")).getText());
      // For a person to look at: what the page showed at the end.
      Files.write(Files.createDirectories(Path.of("target")).resolve("page-test.png"), driver.getScreenshotAs(OutputType.BYTES));
      assertEquals(List.of(), browser.consoleErrors());
    }
  }
}
