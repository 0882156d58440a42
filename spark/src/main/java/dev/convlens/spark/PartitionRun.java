package dev.convlens.spark;

import java.util.Iterator;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Row;
import org.apache.spark.util.TaskCompletionListener;

/**
 * What runs on an executor for one partition: a hold on the executor's shared model (let go when
 * the task ends, however it ends) and the partition's rows in batches.
 */
final class PartitionRun implements MapPartitionsFunction<Row, Row> {
  private static final long serialVersionUID = 1L;

  private final ModelSpec model;
  private final RowOptions rows;
  private final int imageField;
  private final int nameField;
  private final RowStep step;

  PartitionRun(ModelSpec model, RowOptions rows, int imageField, int nameField, RowStep step) {
    this.model = model;
    this.rows = rows;
    this.imageField = imageField;
    this.nameField = nameField;
    this.step = step;
  }

  @Override
  public Iterator<Row> call(Iterator<Row> input) {
    TaskContext task = TaskContext.get();
    ExecutorModels.Lease lease = ExecutorModels.acquire(model, ExecutorModels.sessionFor(task));
    if (task != null) {
      task.addTaskCompletionListener((TaskCompletionListener) context -> lease.close());
    }
    return new BatchedRows(input, rows, imageField, nameField, step, lease::classifier);
  }
}
