/* Writing an output file of the analyzer (`wprof export -o`, `wprof diff
 * --flame`) whole or not at all (utils/atomic-file.h), with a one-line error
 * when that fails. */
#ifndef WPROF_ANALYZER_OUTPUT_H
#define WPROF_ANALYZER_OUTPUT_H

#include <stdio.h>

/* Writes the file's content into out; returns 0, or an exit code after
 * printing its own one-line error. */
typedef int (*wprof_output_writer)(void *context, FILE *out);

/* Writes path with write(context, out). Returns 0, the writer's code, or
 * WPROF_EXIT_CANT_CREATE after "wprof CMD: PATH: cannot create/write: reason". */
int wprof_write_output(const char *cmd, const char *path, wprof_output_writer write, void *context);

#endif
