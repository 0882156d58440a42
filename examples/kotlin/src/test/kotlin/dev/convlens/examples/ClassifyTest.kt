package dev.convlens.examples

import dev.convlens.visualize.ImageClassifier
import dev.convlens.visualize.InputImage
import java.awt.Color
import java.awt.RenderingHints
import java.awt.Shape
import java.awt.geom.Area
import java.awt.geom.Ellipse2D
import java.awt.geom.Path2D
import java.awt.geom.Rectangle2D
import java.awt.image.BufferedImage
import java.io.ByteArrayInputStream
import java.io.ByteArrayOutputStream
import java.io.PrintStream
import java.nio.file.Files
import java.nio.file.Path
import javax.imageio.ImageIO
import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.Assertions.assertArrayEquals
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.io.TempDir

/** Runs the example on shapes drawn as the demo model's dataset draws them, against the demo model of the repository. */
class ClassifyTest {
    @TempDir
    lateinit var tmp: Path

    private val shapes = listOf("circle", "cross", "square", "triangle")

    @Test
    fun mainPrintsTheShapeOfEveryImageAndWritesItsOverlayAtItsSize() {
        val images = shapes.mapIndexed { i, shape -> write(shape, drawn(shape, 64 + 32 * i, 64, i)) }
        val out = ByteArrayOutputStream()
        val console = System.out
        System.setOut(PrintStream(out, true, Charsets.UTF_8))
        try {
            main(images.map { it.toString() }.toTypedArray()) // the model at its default path, from this module
        } finally {
            System.setOut(console)
        }
        val lines = out.toString(Charsets.UTF_8).lines()
        images.forEachIndexed { i, image ->
            val line = lines.first { it.startsWith("${image.fileName}: ") }
            assertTrue(line.startsWith("${image.fileName}: 1. ${shapes[i]} ($i) "), line)
            val overlay = ImageIO.read(tmp.resolve("${shapes[i]}.cam.png").toFile())
            assertEquals(64 + 32 * i, overlay.width, "overlay width of ${shapes[i]}")
            assertEquals(64, overlay.height, "overlay height of ${shapes[i]}")
        }
        // The demo model's first layer: a 3x3 convolution with 16 filters (its summary).
        assertTrue(lines.any { it.startsWith("conv1 on ${images[0]}: 16 channels, ") }, lines.toString())
    }

    @Test
    fun concurrentAnswersAreWhatOneCallAtATimeGives() {
        val images = (0 until 12).map { i -> write("${shapes[i % 4]}-$i", drawn(shapes[i % 4], 64, 64, i)) }
        ImageClassifier.load(Path.of("../../saved_models/shapes")).use { classifier ->
            val answers = runBlocking { answerAll(classifier, images) }
            assertEquals(images, answers.map { it.image })
            answers.forEachIndexed { i, answer ->
                val image = InputImage.of(images[i])
                assertEquals(classifier.predict(image, 1)[0], answer.top, "image $i")
                assertEquals(shapes[i % 4], answer.top.label, "image $i")
                assertArrayEquals(classifier.explain(image).overlayPng(), answer.overlayPng, "overlay of image $i")
                assertEquals(64, ImageIO.read(ByteArrayInputStream(answer.overlayPng)).width)
            }
        }
    }

    private fun write(name: String, image: BufferedImage): Path =
        tmp.resolve("$name.png").also { ImageIO.write(image, "png", it.toFile()) }

    /**
     * A flat-colored shape about 28 pixels across (at 64 pixels high) on a checkerboard, antialiased,
     * as the demo dataset draws them; [variant] moves, tilts and recolors it.
     */
    private fun drawn(shape: String, width: Int, height: Int, variant: Int): BufferedImage {
        val image = BufferedImage(width, height, BufferedImage.TYPE_INT_RGB)
        val g = image.createGraphics()
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON)
        for (y in 0 until height step 8) for (x in 0 until width step 8) {
            g.color = if ((x + y) / 8 % 2 == 0) Color(196, 200, 186) else Color(170, 176, 190)
            g.fillRect(x, y, 8, 8)
        }
        g.color = Color(40 + 15 * variant, 60, 150 - 8 * variant)
        g.translate(width / 2.0 + variant % 3 * 4 - 4, height / 2.0 + variant % 2 * 6 - 3)
        g.rotate(Math.toRadians(variant % 5 * 5.0 - 10))
        g.scale(width / 64.0, height / 64.0)
        val s = 28.0
        val outline: Shape = when (shape) {
            "circle" -> Ellipse2D.Double(-s / 2, -s / 2, s, s)
            "cross" -> Area(Rectangle2D.Double(-s / 2, -s / 6, s, s / 3)).apply {
                add(Area(Rectangle2D.Double(-s / 6, -s / 2, s / 3, s)))
            }
            "square" -> Rectangle2D.Double(-0.45 * s, -0.45 * s, 0.9 * s, 0.9 * s)
            else -> Path2D.Double().apply {
                moveTo(0.0, -s / Math.sqrt(3.0))
                lineTo(s / 2, s / (2 * Math.sqrt(3.0)))
                lineTo(-s / 2, s / (2 * Math.sqrt(3.0)))
                closePath()
            }
        }
        g.fill(outline)
        g.dispose()
        return image
    }
}
