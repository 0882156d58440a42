package dev.convlens.examples

import dev.convlens.bridge.image.Prediction
import dev.convlens.visualize.{ImageClassifier, InputImage}
import java.nio.file.{Files, Path}
import java.util.concurrent.{ExecutorService, Executors}
import scala.concurrent.duration.Duration
import scala.concurrent.{Await, ExecutionContext, Future}
import scala.jdk.CollectionConverters.*
import scala.util.Using
import scala.util.Using.Releasable

/** What a backend answers for one image: its best class and the Grad-CAM of that class over it, as PNG. */
final case class Answer(image: Path, top: Prediction, overlayPng: Array[Byte])

/** Classifies and explains every image at the same time with one classifier, on the threads of `runs`. */
def answerAll(classifier: ImageClassifier, images: Seq[Path])(using runs: ExecutionContext): Future[Seq[Answer]] =
  Future.traverse(images) { path =>
    Future {
      val image = InputImage.of(path)
      Answer(path, classifier.predict(image, 1).get(0), classifier.explain(image).overlayPng())
    }
  }

given Releasable[ExecutorService] = _.shutdown()

/** Usage: `classify [-Dmodel=DIR] IMAGE...`; writes each overlay beside its image as `NAME.cam.png`. */
@main def classify(images: String*): Unit =
  require(images.nonEmpty, "usage: classify [-Dmodel=DIR] IMAGE...")
  val model = Path.of(sys.props.getOrElse("model", "../../saved_models/shapes"))
  // Model runs block a thread: at most 4 at once, on a pool of their own.
  Using.resources(ImageClassifier.load(model), Executors.newFixedThreadPool(4)) { (classifier, pool) =>
    given ExecutionContext = ExecutionContext.fromExecutor(pool)
    val answers = Await.result(answerAll(classifier, images.map(Path.of(_))), Duration.Inf)
    for a <- answers do
      val overlay = a.image.resolveSibling(a.image.getFileName.toString.replaceFirst("\\.[^.]*$", "") + ".cam.png")
      Files.write(overlay, a.overlayPng)
      println(s"${a.image.getFileName}: ${a.top.format(1)}, Grad-CAM in $overlay")
    val layer = classifier.activationLayers().get(0)
    val stats = classifier.activations(InputImage.of(Path.of(images.head)), Seq(layer).asJava).get(layer).stats()
    println(s"$layer on ${images.head}: ${stats.channels} channels, ${stats.blankChannels} blank, max ${stats.max}")
  }
