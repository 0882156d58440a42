/**
 * Image datasets from folders, as Keras' {@code image_dataset_from_directory} /
 * {@code flow_from_directory} read them (one sub-folder per class, sorted; target size;
 * preprocessing; batches; seeded shuffling; binary or categorical labels; unreadable files reported
 * and skipped), and the book's {@code ImageDataGenerator} augmentation as a pure Java function on
 * {@link dev.convlens.bridge.FloatTensor}s. Depends on tf-bridge's value types and its {@code image}
 * package only; no TensorFlow here.
 *
 * <p>Public types: {@code ImageDataset}, {@code DatasetOptions}, {@code Augmentation},
 * {@code LabelMode}, {@code Batch}, {@code SkippedFile}.
 */
@NullMarked
package dev.convlens.finetune.data;

import org.jspecify.annotations.NullMarked;
