package io.meshpulse.streamprocessor.score;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Locale;

/**
 * {@code String.format(Locale.ROOT, "%.Nf", v)} without the formatter: the shortest decimal form of
 * {@code v} rounded half-up to N places, which is what the formatter prints, done on the digits of
 * {@link Double#toString} (through {@link BigDecimal} only when that has an exponent). Used for the
 * reason every judged endpoint gets each second; negative zero, NaN and infinities go to the
 * formatter.
 */
final class Decimals {
  private Decimals() {}

  static String fixed(double value, int places) {
    if (!(value >= 0) || Double.isInfinite(value) || Double.doubleToRawLongBits(value) < 0) {
      return String.format(Locale.ROOT, "%." + places + "f", value);
    }
    String shortest = Double.toString(value);
    if (shortest.indexOf('E') >= 0) {
      return new BigDecimal(shortest).setScale(places, RoundingMode.HALF_UP).toPlainString();
    }
    return roundHalfUp(shortest, places);
  }

  /**
   * {@code digits} ("123.456", no exponent) rounded half-up to {@code places}: the first dropped
   * digit decides, and a carry runs left through the nines.
   */
  private static String roundHalfUp(String digits, int places) {
    int dot = digits.indexOf('.');
    int kept = dot + 1 + places; // index of the first dropped character
    char[] out = new char[dot + 1 + places + 1]; // room for a carry into a new leading digit
    int n = 1;
    for (int i = 0; i < dot; i++) {
      out[n++] = digits.charAt(i);
    }
    if (places > 0) {
      out[n++] = '.';
      for (int i = dot + 1; i < kept; i++) {
        out[n++] = i < digits.length() ? digits.charAt(i) : '0';
      }
    }
    boolean up = kept < digits.length() && digits.charAt(kept) >= '5';
    int first = 1;
    for (int i = n - 1; up && i >= 1; i--) {
      if (out[i] == '.') {
        continue;
      }
      if (out[i] == '9') {
        out[i] = '0';
      } else {
        out[i]++;
        up = false;
      }
    }
    if (up) {
      out[0] = '1';
      first = 0;
    }
    return new String(out, first, n - first);
  }
}
