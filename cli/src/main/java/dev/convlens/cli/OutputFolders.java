package dev.convlens.cli;

import dev.convlens.bridge.io.AtomicFiles;
import dev.convlens.bridge.io.FolderOptions;
import dev.convlens.bridge.io.OutputWriteException;
import java.nio.file.Path;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;

/**
 * The {@code --out DIR} of commands that write a set of files (finetune, activations): the set is
 * written into a hidden sibling folder and renamed into place once complete
 * ({@link AtomicFiles#writeFolder}), so a run killed or failing half-way leaves the previous
 * folder (or none), never a mix. An earlier run's folder, recognised by the file every run writes,
 * is replaced only with {@code --overwrite}; any other non-empty folder never is.
 */
final class OutputFolders {
  static final String OVERWRITE_HELP = "Replace an --out folder left by an earlier run of this command. The new "
      + "folder is written beside it and swapped in once complete; a folder that is not such an output is never replaced.";

  private OutputFolders() {}

  static FolderOptions options(String marker, boolean overwrite) {
    return FolderOptions.defaults().withMarker(marker).withOverwrite(overwrite);
  }

  /** Before any work: an --out that would be refused at the end is a usage error now. */
  static void check(CommandSpec spec, Path out, FolderOptions options) {
    try {
      AtomicFiles.requireReplaceable(out, options);
    } catch (OutputWriteException e) {
      if (AtomicFiles.isEarlierOutput(out, options)) {
        throw new ParameterException(spec.commandLine(), "--out " + out + " holds the output of an earlier run ("
            + options.marker() + "): pass --overwrite to replace it, or choose another folder");
      }
      throw new ParameterException(spec.commandLine(), "--out " + e.getMessage() + "; choose another folder");
    }
  }
}
