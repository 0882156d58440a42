package dev.convlens.examples

import dev.convlens.bridge.image.Prediction
import dev.convlens.visualize.ImageClassifier
import dev.convlens.visualize.InputImage
import java.nio.file.Path
import kotlin.io.path.*
import kotlinx.coroutines.*

/** What a backend answers for one image: its best class and the Grad-CAM of that class over it, as PNG. */
class Answer(val image: Path, val top: Prediction, val overlayPng: ByteArray)

/** Model runs block a thread: at most this many at once, on threads of the IO pool. */
private val modelRuns = Dispatchers.IO.limitedParallelism(4)

/** Classifies and explains every image at the same time with one classifier. */
suspend fun answerAll(classifier: ImageClassifier, images: List<Path>): List<Answer> = coroutineScope {
    images.map { path ->
        async {
            runInterruptible(modelRuns) {
                val image = InputImage.of(path)
                Answer(path, classifier.predict(image, 1).first(), classifier.explain(image).overlayPng())
            }
        }
    }.awaitAll()
}

/** Usage: `Classify [-Dmodel=DIR] IMAGE...`; writes each overlay beside its image as `NAME.cam.png`. */
fun main(args: Array<String>) {
    require(args.isNotEmpty()) { "usage: Classify [-Dmodel=DIR] IMAGE..." }
    val model = Path(System.getProperty("model", "../../saved_models/shapes"))
    ImageClassifier.load(model).use { classifier ->
        val answers = runBlocking { answerAll(classifier, args.map(::Path)) }
        for (a in answers) {
            val overlay = a.image.resolveSibling(a.image.nameWithoutExtension + ".cam.png")
            overlay.writeBytes(a.overlayPng)
            println("${a.image.fileName}: ${a.top.format(1)}, Grad-CAM in $overlay")
        }
        val layer = classifier.activationLayers().first()
        val stats = classifier.activations(InputImage.of(Path(args[0])), listOf(layer)).get(layer).stats()
        println("$layer on ${args[0]}: ${stats.channels} channels, ${stats.blankChannels} blank, max ${stats.max}")
    }
}
