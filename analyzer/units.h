/* Human-readable units for the analyzer's text output: times in ns/µs/ms/s
 * and sizes in B/KiB/MiB/GiB/TiB with three significant digits (integers
 * below the first unit step), and percentages with two decimals. CSV and
 * JSON output never use these: they print the raw integers. */
#ifndef WPROF_ANALYZER_UNITS_H
#define WPROF_ANALYZER_UNITS_H

#include <stddef.h>
#include <stdint.h>

enum { WPROF_UNIT_BUF = 32 };

/* "0 ns", "999 ns", "1.00 µs", "12.3 ms", "456 s"; negative values get '-'. */
const char *wprof_format_ns(char buf[WPROF_UNIT_BUF], int64_t ns);
/* "512 B", "1.50 KiB", "100 MiB"; negative values get '-'. */
const char *wprof_format_bytes(char buf[WPROF_UNIT_BUF], int64_t bytes);
/* Like the two above with an explicit '+' on positive values (diff deltas). */
const char *wprof_format_ns_delta(char buf[WPROF_UNIT_BUF], int64_t ns);
const char *wprof_format_bytes_delta(char buf[WPROF_UNIT_BUF], int64_t bytes);
/* 100 * part / whole as "12.34%", or "-" when whole is 0. */
const char *wprof_format_percent(char buf[WPROF_UNIT_BUF], double part, double whole);

/* A time given on the command line: a non-negative number, decimals allowed,
 * with an optional unit ns (the default), us, µs, ms or s: "1500", "1.5us",
 * "2ms", "0.25s". Returns 0 and the time rounded to the nearest ns, or -1. */
int wprof_parse_ns(const char *text, int64_t *ns);

#endif
