/* Error-message, formatting and number-parsing helpers for the analyzer (see
 * util.h). */
#include "util.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wprof_analyzer.h"

char *wprof_xvasprintf(const char *fmt, va_list ap)
{
  va_list again;
  va_copy(again, ap);
  int n = vsnprintf(NULL, 0, fmt, ap);
  char *s = wprof_xmalloc((size_t)n + 1);
  vsnprintf(s, (size_t)n + 1, fmt, again);
  va_end(again);
  return s;
}

char *wprof_xasprintf(const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  char *s = wprof_xvasprintf(fmt, ap);
  va_end(ap);
  return s;
}

static int vfail(int code, const char *cmd, const char *subject, const char *fmt, va_list ap)
{
  fprintf(stderr, "wprof %s: ", cmd);
  if (subject)
    fprintf(stderr, "%s: ", subject);
  vfprintf(stderr, fmt, ap);
  fputc('\n', stderr);
  return code;
}

int wprof_fail(const char *cmd, const char *subject, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  int code = vfail(WPROF_EXIT_USAGE, cmd, subject, fmt, ap);
  va_end(ap);
  return code;
}

int wprof_fail_as(int code, const char *cmd, const char *subject, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  vfail(code, cmd, subject, fmt, ap);
  va_end(ap);
  return code;
}

int wprof_parse_count(const char *s, int64_t *out)
{
  if (!s || *s < '0' || *s > '9')
    return -1;
  char *end;
  errno = 0;
  long long v = strtoll(s, &end, 10);
  if (errno || *end)
    return -1;
  *out = v;
  return 0;
}

int wprof_parse_decimal(const char *s, double *out)
{
  if (!s || *s < '0' || *s > '9')
    return -1;
  char *end;
  errno = 0;
  double v = strtod(s, &end);
  if (errno || *end)
    return -1;
  *out = v;
  return 0;
}

char *wprof_escaped(const char *s, const char *also)
{
  char *out = wprof_xmalloc(4 * strlen(s) + 1), *o = out;
  for (; *s; s++) {
    unsigned char ch = (unsigned char)*s;
    if (ch == '\\') {
      *o++ = '\\';
      *o++ = '\\';
    } else if (ch < 0x20 || ch == 0x7f || strchr(also, ch)) {
      o += sprintf(o, "\\x%02x", ch);
    } else {
      *o++ = (char)ch;
    }
  }
  *o = '\0';
  return out;
}

/* Length of the valid UTF-8 sequence at s (1-4), or 0: overlong forms,
 * surrogates and code points above U+10FFFF are not valid. */
static int utf8_length(const unsigned char *s)
{
  if (s[0] < 0x80)
    return 1;
  int n = s[0] >= 0xc2 && s[0] <= 0xdf ? 2 : s[0] >= 0xe0 && s[0] <= 0xef ? 3 : s[0] >= 0xf0 && s[0] <= 0xf4 ? 4 : 0;
  for (int i = 1; i < n; i++)
    if ((s[i] & 0xc0) != 0x80)
      return 0;
  if ((s[0] == 0xe0 && s[1] < 0xa0) || (s[0] == 0xed && s[1] >= 0xa0) || (s[0] == 0xf0 && s[1] < 0x90) ||
      (s[0] == 0xf4 && s[1] >= 0x90))
    return 0;
  return n;
}

/* A JSON string; html_safe: also safe inside an HTML <script> element and
 * for JavaScript (see util.h). */
static void print_json_string(FILE *out, const char *s, int html_safe)
{
  fputc('"', out);
  while (*s) {
    const unsigned char *u = (const unsigned char *)s;
    int n = html_safe ? utf8_length(u) : 1;
    if (*u == '"' || *u == '\\')
      fprintf(out, "\\%c", *u);
    else if (*u < 0x20 || (html_safe && (*u == '<' || *u == '>' || *u == '&')))
      fprintf(out, "\\u%04x", *u);
    else if (n == 0)
      fputs("\\ufffd", out); /* a byte that is not UTF-8 */
    else if (n == 3 && u[0] == 0xe2 && u[1] == 0x80 && (u[2] == 0xa8 || u[2] == 0xa9))
      fprintf(out, "\\u%04x", 0x2000 | (u[2] & 0x3f)); /* U+2028, U+2029: line ends for old JavaScript */
    else
      fwrite(u, 1, (size_t)n, out);
    s += n ? n : 1;
  }
  fputc('"', out);
}

void wprof_print_json_string(FILE *out, const char *s) { print_json_string(out, s, 0); }

void wprof_print_script_json_string(FILE *out, const char *s) { print_json_string(out, s, 1); }
