package dev.convlens.examples

import dev.convlens.spark.{ConvlensSpark, ModelSpec, PredictOptions}
import org.apache.spark.sql.functions.{col, element_at}
import org.apache.spark.sql.{DataFrame, SparkSession}

/** The best class of every PNG under `dir` as rows of (path, label, probability, error), computed by Spark's executors. */
def bestClasses(spark: SparkSession, dir: String, model: ModelSpec): DataFrame =
  val files = spark.read.format("binaryFile").option("pathGlobFilter", "*.png").load(dir)
  val best = element_at(col("predictions"), 1)
  ConvlensSpark.predict(files, model, PredictOptions.defaults().withTopK(1))
    .select(col("path"), best.getField("label").as("label"), best.getField("probability").as("probability"), col("error"))

/** Usage: `classifyOnSpark [-Dmodel=DIR] FOLDER`, on this machine's cores (`spark-submit` sets the master on a cluster). */
@main def classifyOnSpark(dir: String): Unit =
  val spark = SparkSession.builder.master("local[*]").appName("convlens example").getOrCreate()
  try bestClasses(spark, dir, ModelSpec.file(sys.props.getOrElse("model", "../../saved_models/shapes"))).show(false)
  finally spark.stop()
