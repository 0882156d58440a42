/**
 * Timing harnesses for the {@code convlens bench} commands: plain {@code System.nanoTime} loops
 * (no JMH), each measurement an immutable record so it can be tested and printed apart.
 * Depends on tf-bridge's public API and TF Java only; nothing in the library depends on it.
 */
package dev.convlens.cli.bench;
