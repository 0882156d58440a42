/**
 * convlens' SavedModel export and its reader: a standard SavedModel with {@code serving_default} and
 * {@code activations} signatures plus a manifest that lets the loader rebuild the Java-op graph.
 */
package dev.convlens.bridge.export;
