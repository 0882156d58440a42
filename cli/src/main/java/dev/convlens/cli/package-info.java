/** The {@code convlens} command line (picocli): one class per subcommand, shared model options. */
package dev.convlens.cli;
