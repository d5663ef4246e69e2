/* Unit test of the analyzer's human units (analyzer/units.c): rounding to
 * three significant digits, unit changes at the rounding edge, sizes in
 * powers of 1024, signs. Expected strings are worked out by hand. */
#include <stdio.h>
#include <string.h>

#include "units.h"

static int failures;

static void expect(const char *got, const char *want, const char *what, long long v)
{
  if (strcmp(got, want) != 0) {
    fprintf(stderr, "FAIL %s(%lld): got '%s', expected '%s'\n", what, v, got, want);
    failures++;
  }
}

int main(void)
{
  static const struct {
    long long v;
    const char *want;
  } times[] = {{0, "0 ns"},           {999, "999 ns"},          {1000, "1.00 µs"},         {1234, "1.23 µs"},
               {1235, "1.24 µs"},     {9994, "9.99 µs"},        {9995, "10.0 µs"},         {99949, "99.9 µs"},
               {99950, "100 µs"},     {999499, "999 µs"},       {999500, "1.00 ms"},       {1500000, "1.50 ms"},
               {123456789, "123 ms"}, {999999999, "1.00 s"},    {61000000000, "61.0 s"},   {1234567000000, "1235 s"},
               {-1500, "-1.50 µs"}};
  static const struct {
    long long v;
    const char *want;
  } sizes[] = {{0, "0 B"},           {1023, "1023 B"},       {1024, "1.00 KiB"},      {1536, "1.50 KiB"},
               {10240, "10.0 KiB"},  {1048063, "1023 KiB"},  {1048064, "1.00 MiB"},   {1024000, "1000 KiB"},   {2097152, "2.00 MiB"},
               {1073741824, "1.00 GiB"}, {-2048, "-2.00 KiB"}};
  char buf[WPROF_UNIT_BUF];
  for (size_t i = 0; i < sizeof times / sizeof times[0]; i++)
    expect(wprof_format_ns(buf, times[i].v), times[i].want, "ns", times[i].v);
  for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++)
    expect(wprof_format_bytes(buf, sizes[i].v), sizes[i].want, "bytes", sizes[i].v);
  expect(wprof_format_ns_delta(buf, 100000), "+100 µs", "ns_delta", 100000);
  expect(wprof_format_ns_delta(buf, 0), "0 ns", "ns_delta", 0);
  expect(wprof_format_bytes_delta(buf, -64), "-64 B", "bytes_delta", -64);
  expect(wprof_format_percent(buf, 1, 3), "33.33%", "percent", 1);
  expect(wprof_format_percent(buf, 1, 0), "-", "percent", 0);
  static const struct {
    const char *text;
    long long want; /* -1: refused */
  } parsed[] = {{"1500", 1500},   {"1500ns", 1500},   {"1.5us", 1500},   {"1.5\xc2\xb5s", 1500}, {"2ms", 2000000},
                {"0.25s", 250000000}, {"0", 0},     {"0.0004us", 0},   {"0.0006us", 1},      {"-1ms", -1},
                {"", -1},         {"ms", -1},         {"1 ms", -1},      {"1h", -1},           {"1e30s", -1},
                {"nan", -1},      {"inf", -1},        {"1e3", -1},       {"0x10", -1},         {"99999999999s", -1}};
  for (size_t i = 0; i < sizeof parsed / sizeof parsed[0]; i++) {
    int64_t ns = -1;
    long long got = wprof_parse_ns(parsed[i].text, &ns) == 0 ? (long long)ns : -1;
    if (got != parsed[i].want) {
      fprintf(stderr, "FAIL parse_ns('%s'): got %lld, expected %lld\n", parsed[i].text, got, parsed[i].want);
      failures++;
    }
  }
  if (failures)
    return 1;
  puts("units: all checks passed");
  return 0;
}
