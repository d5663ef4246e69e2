/* Test driver for the analyzer library: `wprof-analyzer report|diff|export
 * ...` runs the same functions as `wprof report|diff|export`, so the
 * analyzer's tests do not depend on the rest of the wprof command. */
#include <stdio.h>
#include <string.h>

#include "wprof_analyzer.h"

int main(int argc, char **argv)
{
  if (argc >= 2 && strcmp(argv[1], "report") == 0)
    return wprof_cmd_report(argc - 1, argv + 1);
  if (argc >= 2 && strcmp(argv[1], "diff") == 0)
    return wprof_cmd_diff(argc - 1, argv + 1);
  if (argc >= 2 && strcmp(argv[1], "export") == 0)
    return wprof_cmd_export(argc - 1, argv + 1);
  fputs("usage: wprof-analyzer report|diff|export ...\n", stderr);
  return WPROF_EXIT_USAGE;
}
