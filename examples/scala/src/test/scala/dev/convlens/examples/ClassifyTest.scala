package dev.convlens.examples

import dev.convlens.spark.ModelSpec
import dev.convlens.visualize.{ImageClassifier, InputImage}
import java.awt.geom.{Area, Ellipse2D, Path2D, Rectangle2D}
import java.awt.image.BufferedImage
import java.awt.{Color, RenderingHints, Shape}
import java.io.{ByteArrayInputStream, ByteArrayOutputStream}
import java.nio.file.Path
import java.util.concurrent.Executors
import javax.imageio.ImageIO
import org.apache.spark.sql.SparkSession
import org.junit.jupiter.api.Assertions.{assertArrayEquals, assertEquals, assertTrue}
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.io.TempDir
import scala.concurrent.duration.Duration
import scala.concurrent.{Await, ExecutionContext}
import scala.util.Using

/** Runs the example on shapes drawn as the demo model's dataset draws them, against the demo model of the repository. */
class ClassifyTest:
  private val shapes = Seq("circle", "cross", "square", "triangle")

  @Test
  def mainPrintsTheShapeOfEveryImageAndWritesItsOverlayAtItsSize(@TempDir tmp: Path): Unit =
    val images = shapes.zipWithIndex.map((shape, i) => write(tmp, shape, drawn(shape, 64 + 32 * i, 64, i)))
    val out = ByteArrayOutputStream()
    Console.withOut(out) {
      classify(images.map(_.toString)*) // the model at its default path, from this module
    }
    val lines = out.toString("UTF-8").linesIterator.toSeq
    for (image, i) <- images.zipWithIndex do
      val line = lines.find(_.startsWith(s"${image.getFileName}: ")).getOrElse(s"no line for $image in $lines")
      assertTrue(line.startsWith(s"${image.getFileName}: 1. ${shapes(i)} ($i) "), line)
      val overlay = ImageIO.read(tmp.resolve(s"${shapes(i)}.cam.png").toFile)
      assertEquals(64 + 32 * i, overlay.getWidth, s"overlay width of ${shapes(i)}")
      assertEquals(64, overlay.getHeight, s"overlay height of ${shapes(i)}")
    // The demo model's first layer: a 3x3 convolution with 16 filters (its summary).
    assertTrue(lines.exists(_.startsWith(s"conv1 on ${images.head}: 16 channels, ")), lines.toString)

  @Test
  def concurrentAnswersAreWhatOneCallAtATimeGives(@TempDir tmp: Path): Unit =
    val images = (0 until 12).map(i => write(tmp, s"${shapes(i % 4)}-$i", drawn(shapes(i % 4), 64, 64, i)))
    Using.resources(ImageClassifier.load(Path.of("../../saved_models/shapes")), Executors.newFixedThreadPool(4)) {
      (classifier, pool) =>
        val answers = Await.result(answerAll(classifier, images)(using ExecutionContext.fromExecutor(pool)), Duration.Inf)
        assertEquals(images, answers.map(_.image))
        for (answer, i) <- answers.zipWithIndex do
          val image = InputImage.of(images(i))
          assertEquals(classifier.predict(image, 1).get(0), answer.top, s"image $i")
          assertEquals(shapes(i % 4), answer.top.label, s"image $i")
          assertArrayEquals(classifier.explain(image).overlayPng(), answer.overlayPng, s"overlay of image $i")
          assertEquals(64, ImageIO.read(ByteArrayInputStream(answer.overlayPng)).getWidth)
    }

  @Test
  def sparkGivesEveryImageItsShape(@TempDir tmp: Path): Unit =
    val images = (0 until 8).map(i => write(tmp, s"${shapes(i % 4)}-$i", drawn(shapes(i % 4), 64, 64, i)))
    val spark = SparkSession.builder.master("local[2]").appName("example test").config("spark.ui.enabled", "false").getOrCreate()
    try
      val rows = bestClasses(spark, tmp.toString, ModelSpec.file("../../saved_models/shapes")).collect()
      assertEquals(8, rows.length)
      for row <- rows do
        val name = row.getString(0).substring(row.getString(0).lastIndexOf('/') + 1)
        assertEquals(name.substring(0, name.indexOf('-')), row.getString(1), name)
        assertTrue(row.isNullAt(3), s"$name: ${row.getString(3)}")
    finally spark.stop()

  private def write(dir: Path, name: String, image: BufferedImage): Path =
    val file = dir.resolve(s"$name.png")
    ImageIO.write(image, "png", file.toFile)
    file

  /**
   * A flat-colored shape about 28 pixels across (at 64 pixels high) on a checkerboard, antialiased,
   * as the demo dataset draws them; `variant` moves, tilts and recolors it.
   */
  private def drawn(shape: String, width: Int, height: Int, variant: Int): BufferedImage =
    val image = BufferedImage(width, height, BufferedImage.TYPE_INT_RGB)
    val g = image.createGraphics()
    g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON)
    for y <- 0 until height by 8; x <- 0 until width by 8 do
      g.setColor(if (x + y) / 8 % 2 == 0 then Color(196, 200, 186) else Color(170, 176, 190))
      g.fillRect(x, y, 8, 8)
    g.setColor(Color(40 + 15 * variant, 60, 150 - 8 * variant))
    g.translate(width / 2.0 + variant % 3 * 4 - 4, height / 2.0 + variant % 2 * 6 - 3)
    g.rotate(math.toRadians(variant % 5 * 5.0 - 10))
    g.scale(width / 64.0, height / 64.0)
    val s = 28.0
    val outline: Shape = shape match
      case "circle" => Ellipse2D.Double(-s / 2, -s / 2, s, s)
      case "cross" =>
        val a = Area(Rectangle2D.Double(-s / 2, -s / 6, s, s / 3))
        a.add(Area(Rectangle2D.Double(-s / 6, -s / 2, s / 3, s)))
        a
      case "square" => Rectangle2D.Double(-0.45 * s, -0.45 * s, 0.9 * s, 0.9 * s)
      case _ =>
        val p = Path2D.Double()
        p.moveTo(0, -s / math.sqrt(3))
        p.lineTo(s / 2, s / (2 * math.sqrt(3)))
        p.lineTo(-s / 2, s / (2 * math.sqrt(3)))
        p.closePath()
        p
    g.fill(outline)
    g.dispose()
    image
