/*
** db-fuzz: libFuzzer target for the analyzer's reading of profile databases,
** which are untrusted input (people open profiles from CI artifacts and bug
** reports). Each input is written to a file and opened by every report view,
** by diff against itself (with its flame graph) and by every export, as `wprof` would: none may
** crash, leak, hang (libFuzzer's -timeout) or write anywhere but /dev/null.
** Built by run.sh with clang -fsanitize=fuzzer; with ../scan/replay-main.c it
** is the plain program ctest runs over corpus/.
*/
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "wprof_analyzer.h"

static char path[64];

static void run(int (*cmd)(int, char **), const char *name, const char *a, const char *b, const char *c,
                const char *d) {
  char *argv[] = {(char *)name, path, (char *)a, (char *)b, (char *)c, (char *)d, NULL};
  int argc = 2;
  while (argv[argc]) argc++;
  cmd(argc, argv);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (!path[0]) {
    snprintf(path, sizeof path, "/tmp/wprof-db-fuzz-%d.db", (int)getpid());
    /* the reports' output is not what is tested (run.sh closes stderr, their one-line errors) */
    if (!freopen("/dev/null", "w", stdout)) abort();
  }
  FILE *f = fopen(path, "wb");
  if (!f || fwrite(data, 1, size, f) != size || fclose(f) != 0) abort();
  static const char *const views[] = {"top", "tree", "allocs", "leaks", "peak", "calls", "info"};
  for (size_t i = 0; i < sizeof views / sizeof views[0]; i++) run(wprof_cmd_report, "report", views[i], NULL, NULL, NULL);
  run(wprof_cmd_report, "report", "peek", "*", NULL, NULL);
  run(wprof_cmd_report, "report", "--format", "json", "allocs", NULL);
  run(wprof_cmd_diff, "diff", path, "--fail-on", "calls:+1%", NULL);
  run(wprof_cmd_diff, "diff", path, "--flame", "/dev/null", NULL);
  static const char *const formats[] = {"folded", "pprof", "callgrind", "chrome", "html"};
  for (size_t i = 0; i < sizeof formats / sizeof formats[0]; i++)
    run(wprof_cmd_export, "export", "--format", formats[i], "-o", "/dev/null");
  unlink(path);
  return 0;
}
