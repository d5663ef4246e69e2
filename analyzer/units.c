/* Unit formatting for text reports (see units.h). Rounding is done in integer
 * arithmetic, half up, so the printed digits never depend on floating-point
 * representation and golden test files stay exact. */
#include "units.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct unit_scale {
  uint64_t step;
  const char *name;
};

static const struct unit_scale time_units[] = {
    {1, "ns"}, {1000, "µs"}, {1000000, "ms"}, {1000000000, "s"}};
static const struct unit_scale size_units[] = {
    {1, "B"}, {1024, "KiB"}, {1024 * 1024, "MiB"}, {1024 * 1024 * 1024, "GiB"}, {1024ull * 1024 * 1024 * 1024, "TiB"}};

/* Prints v in the largest unit not above it with three significant digits,
 * moving to the next unit when rounding reaches 1000 (999.9 µs -> 1.00 ms). */
static void format_scaled(char *buf, const char *sign, uint64_t v, const struct unit_scale *units, int count)
{
  int k = 0;
  while (k + 1 < count && v >= units[k + 1].step)
    k++;
  if (k == 0) {
    snprintf(buf, WPROF_UNIT_BUF, "%s%" PRIu64 " %s", sign, v, units[0].name);
    return;
  }
  for (;;) {
    uint64_t s = units[k].step;
    uint64_t m = 100;
    for (int decimals = 2; decimals >= 0; decimals--, m /= 10) {
      uint64_t q = (v / s) * m + ((v % s) * m + s / 2) / s;
      /* Without decimals, a binary unit may show up to 1023 (1023 KiB). */
      uint64_t limit = decimals == 0 && k + 1 < count && units[k + 1].step / s > 1000 ? units[k + 1].step / s : 1000;
      if (q < limit || (decimals == 0 && k + 1 == count)) {
        if (decimals)
          snprintf(buf, WPROF_UNIT_BUF, "%s%" PRIu64 ".%0*" PRIu64 " %s", sign, q / m, decimals, q % m, units[k].name);
        else
          snprintf(buf, WPROF_UNIT_BUF, "%s%" PRIu64 " %s", sign, q, units[k].name);
        return;
      }
    }
    k++;
  }
}

static uint64_t magnitude(int64_t v)
{
  return v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
}

static const char *sign_of(int64_t v, int explicit_plus)
{
  return v < 0 ? "-" : (explicit_plus && v > 0 ? "+" : "");
}

const char *wprof_format_ns(char buf[WPROF_UNIT_BUF], int64_t ns)
{
  format_scaled(buf, sign_of(ns, 0), magnitude(ns), time_units, 4);
  return buf;
}

const char *wprof_format_bytes(char buf[WPROF_UNIT_BUF], int64_t bytes)
{
  format_scaled(buf, sign_of(bytes, 0), magnitude(bytes), size_units, 5);
  return buf;
}

const char *wprof_format_ns_delta(char buf[WPROF_UNIT_BUF], int64_t ns)
{
  format_scaled(buf, sign_of(ns, 1), magnitude(ns), time_units, 4);
  return buf;
}

const char *wprof_format_bytes_delta(char buf[WPROF_UNIT_BUF], int64_t bytes)
{
  format_scaled(buf, sign_of(bytes, 1), magnitude(bytes), size_units, 5);
  return buf;
}

const char *wprof_format_percent(char buf[WPROF_UNIT_BUF], double part, double whole)
{
  if (whole == 0)
    snprintf(buf, WPROF_UNIT_BUF, "-");
  else
    snprintf(buf, WPROF_UNIT_BUF, "%.2f%%", 100.0 * part / whole);
  return buf;
}

int wprof_parse_ns(const char *text, int64_t *ns)
{
  static const struct {
    const char *suffix;
    double ns;
  } units[] = {{"", 1}, {"ns", 1}, {"us", 1e3}, {"\xc2\xb5s", 1e3}, {"ms", 1e6}, {"s", 1e9}};
  char *end;
  if (!text || !(*text >= '0' && *text <= '9'))
    return -1;
  double value = strtod(text, &end);
  if (strspn(text, "0123456789.") != (size_t)(end - text)) /* no exponents, no hexadecimal */
    return -1;
  for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
    double scaled = value * units[i].ns;
    if (strcmp(end, units[i].suffix) == 0 && isfinite(scaled) && scaled < 9e18) {
      *ns = (int64_t)llround(scaled);
      return 0;
    }
  }
  return -1;
}
