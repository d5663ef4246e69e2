/* Small helpers shared by the analyzer's subcommands: memory allocation that
 * never returns NULL (utils/xalloc.h), error messages in the one-line
 * `wprof CMD: FILE: reason` form, and parsing of the option values every
 * subcommand accepts. */
#ifndef WPROF_ANALYZER_UTIL_H
#define WPROF_ANALYZER_UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "xalloc.h"

char *wprof_xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
char *wprof_xvasprintf(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0)));

/* Prints "wprof CMD: SUBJECT: message" (or "wprof CMD: message" when subject
 * is NULL) on stderr and returns WPROF_EXIT_USAGE (wprof_fail) or code
 * (wprof_fail_as, a WPROF_EXIT_* of utils/exit-codes.h). */
int wprof_fail(const char *cmd, const char *subject, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
int wprof_fail_as(int code, const char *cmd, const char *subject, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Parses a whole non-negative decimal integer; returns 0 on success. */
int wprof_parse_count(const char *s, int64_t *out);
/* Parses a whole non-negative decimal number (digits, optional fraction). */
int wprof_parse_decimal(const char *s, double *out);

/* Prints s as a JSON string literal (quotes, escapes). */
void wprof_print_json_string(FILE *out, const char *s);
/* The same for JSON inside an HTML page's <script> element: '<', '>', '&',
 * U+2028 and U+2029 escaped too (no name can close the element or end a
 * line), and each byte that is not valid UTF-8 as U+FFFD. */
void wprof_print_script_json_string(FILE *out, const char *s);

/* Names come from the module (its name section) and the database, both
 * untrusted: text outputs spell out the bytes a terminal or a line-based
 * format would act on. Returns a new string: control characters and DEL as
 * \xNN, a backslash as \\, and each character of `also` (";" for folded
 * stacks) as \xNN. */
char *wprof_escaped(const char *s, const char *also);

#endif
