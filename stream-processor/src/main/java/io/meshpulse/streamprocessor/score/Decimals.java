package io.meshpulse.streamprocessor.score;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Locale;

/**
 * {@code String.format(Locale.ROOT, "%.Nf", v)} without the formatter: the shortest decimal form of
 * {@code v} rounded half-up to N places, which is what the formatter prints. Used for the reason
 * every judged endpoint gets each second; negative zero, NaN and infinities go to the formatter.
 */
final class Decimals {
  private Decimals() {}

  static String fixed(double value, int places) {
    if (!(value >= 0) || Double.isInfinite(value) || Double.doubleToRawLongBits(value) < 0) {
      return String.format(Locale.ROOT, "%." + places + "f", value);
    }
    return new BigDecimal(Double.toString(value))
        .setScale(places, RoundingMode.HALF_UP)
        .toPlainString();
  }
}
