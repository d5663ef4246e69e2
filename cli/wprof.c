/*
** wprof: the command-line entry point. A table of subcommands, each a
** {name, function, one-line help}; `wprof SUBCOMMAND --help` gives the
** details of one. To add a subcommand, declare it in commands.h and add a
** row here.
*/
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "exit-codes.h"
#include "wprof_analyzer.h"

struct command {
  const char *name;
  int (*run)(int argc, char **argv);
  const char *help;
};

static const struct command commands[] = {
    {"run", wprof_cmd_run, "run a WebAssembly module and record its profile in a SQLite database"},
    {"report", wprof_cmd_report, "print a profile: top, tree, peek, allocs, leaks, peak, calls, info"},
    {"diff", wprof_cmd_diff, "compare two profiles; --fail-on gates a CI job on regressions"},
    {"export", wprof_cmd_export, "write a profile for pprof, callgrind, Chrome tracing or flame graphs"},
};

static void usage(FILE *out) {
  fprintf(out, "usage: wprof COMMAND [ARGS...]   (wprof COMMAND --help for details)\n\ncommands:\n");
  for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
    fprintf(out, "  %-8s %s\n", commands[i].name, commands[i].help);
  fprintf(out, "\nwprof %s\n", WPROF_VERSION);
}

int main(int argc, char **argv) {
  if (argc < 2) {
    usage(stderr);
    return WPROF_EXIT_USAGE;
  }
  if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "help") == 0) {
    usage(stdout);
    return 0;
  }
  if (strcmp(argv[1], "--version") == 0) {
    printf("wprof %s\n", WPROF_VERSION);
    return 0;
  }
  for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
    if (strcmp(argv[1], commands[i].name) == 0) return commands[i].run(argc - 1, argv + 1);
  fprintf(stderr, "wprof: %s: unknown command (wprof --help lists them)\n", argv[1]);
  return WPROF_EXIT_USAGE;
}
