/* Error-message, formatting and number-parsing helpers for the analyzer (see
 * util.h). */
#include "util.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wprof_analyzer.h"

char *wprof_xasprintf(const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(NULL, 0, fmt, ap);
  va_end(ap);
  char *s = wprof_xmalloc((size_t)n + 1);
  va_start(ap, fmt);
  vsnprintf(s, (size_t)n + 1, fmt, ap);
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

void wprof_print_json_string(FILE *out, const char *s)
{
  fputc('"', out);
  for (; *s; s++) {
    unsigned char ch = (unsigned char)*s;
    if (ch == '"' || ch == '\\')
      fprintf(out, "\\%c", ch);
    else if (ch < 0x20)
      fprintf(out, "\\u%04x", ch);
    else
      fputc(ch, out);
  }
  fputc('"', out);
}
