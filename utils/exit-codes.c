/* The --help rows of the exit-code table (see exit-codes.h). */
#include "exit-codes.h"

static const struct {
  int code;
  unsigned commands;
  const char *meaning;
} rows[] = {
#define WPROF_EXIT_ROW(name, code, commands, meaning) {code, commands, meaning},
    WPROF_EXIT_CODES(WPROF_EXIT_ROW)
#undef WPROF_EXIT_ROW
};

void wprof_exit_codes_print(FILE *out, unsigned command) {
  for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
    if (!(rows[i].commands & command)) continue;
    fprintf(out, "  %-4d ", rows[i].code);
    for (const char *c = rows[i].meaning; *c; c++) {
      fputc(*c, out);
      if (*c == '\n') fputs("       ", out);
    }
    fputc('\n', out);
  }
}
