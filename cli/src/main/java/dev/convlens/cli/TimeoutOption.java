package dev.convlens.cli;

import dev.convlens.bridge.Cancellation;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;
import picocli.CommandLine.TypeConversionException;

/** {@code --timeout DURATION} for the long commands (filters, gradcam, finetune): a deadline for the work after the model loaded. */
final class TimeoutOption {
  private static final Pattern SIMPLE = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*(ms|s|m|h)");

  @Option(names = "--timeout", paramLabel = "DURATION", converter = Converter.class,
      description = "Stop with exit code 1 when the work after loading the model takes longer, e.g. 500ms, 30s, 10m, 2h "
          + "(or ISO-8601 such as PT1M30S); checked before every graph run, so it ends at most one run late.")
  Duration timeout;

  /** A deadline {@code --timeout} from now, or none; make it when the work starts. */
  Cancellation start() {
    return timeout == null ? Cancellation.none() : Cancellation.after(timeout);
  }

  static Duration parse(String text) {
    String t = text.trim().toLowerCase(Locale.ROOT);
    Matcher m = SIMPLE.matcher(t);
    if (m.matches()) {
      double v = Double.parseDouble(m.group(1));
      double nanos = v * switch (m.group(2)) {
        case "ms" -> 1e6;
        case "s" -> 1e9;
        case "m" -> 60e9;
        default -> 3600e9;
      };
      if (nanos > Long.MAX_VALUE) {
        throw new TypeConversionException("--timeout " + text + " is too long");
      }
      return Duration.ofNanos((long) nanos);
    }
    try {
      Duration d = Duration.parse(text.trim().toUpperCase(Locale.ROOT));
      if (d.isNegative()) {
        throw new TypeConversionException("--timeout must not be negative, got " + text);
      }
      return d;
    } catch (DateTimeParseException e) {
      throw new TypeConversionException("--timeout: cannot read '" + text + "'; expected e.g. 500ms, 30s, 10m, 2h or PT1M30S");
    }
  }

  static final class Converter implements ITypeConverter<Duration> {
    @Override
    public Duration convert(String value) {
      return parse(value);
    }
  }
}
