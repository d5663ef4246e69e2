/* Writing an output file of the analyzer (`wprof export -o`, `wprof diff
 * --flame`) so that a failure never leaves a partial file: a regular file is
 * written as a temporary file beside it and renamed into place; "-",
 * a device or a FIFO is written directly; a symbolic link is followed and
 * its target replaced (utils/output-path.h). */
#ifndef WPROF_ANALYZER_OUTPUT_H
#define WPROF_ANALYZER_OUTPUT_H

#include <stdio.h>

/* Writes the file's content into out; returns 0, or WPROF_EXIT_USAGE after
 * printing its own one-line error. */
typedef int (*wprof_output_writer)(void *context, FILE *out);

/* Writes path with write(context, out). Returns 0, the writer's code, or
 * WPROF_EXIT_USAGE after "wprof CMD: PATH: cannot create/write: reason". */
int wprof_write_output(const char *cmd, const char *path, wprof_output_writer write, void *context);

#endif
