/** The {@code convlens} command line (picocli): one class per subcommand, shared model options. */
@NullMarked
package dev.convlens.cli;

import org.jspecify.annotations.NullMarked;
