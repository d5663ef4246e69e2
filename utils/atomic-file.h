/*
** A file written whole or not at all: the one way every wprof command writes
** an output file (wasm-instrument's module, wprof export's and diff --flame's
** files). A regular file, or none yet, is written as a temporary file beside
** it, with the permissions of a new file (file-mode.h), flushed to disk
** (fsync) and renamed into place, so that a failure or a signal
** (temp-file.h) never leaves a partial file. "-" is standard output; a
** device or a FIFO is written in place (there is nothing to replace); a
** symbolic link is followed and its target replaced (output-path.h).
*/
#ifndef WPROF_ATOMIC_FILE_H
#define WPROF_ATOMIC_FILE_H

#include <stdio.h>

/* Writes the content into out. Returns 0, or a positive code of its own
** (it has said why) to abandon the file. */
typedef int (*wprof_file_writer)(void *context, FILE *out);

enum {
  WPROF_ATOMIC_CANNOT_CREATE = -1,  /* the file (or its temporary) could not be created: errno */
  WPROF_ATOMIC_CANNOT_WRITE = -2,   /* it could not be written, flushed or renamed: errno */
};

/* Writes path with write(context, out). Returns 0, the writer's code, or
** one of the negative codes above with errno set. */
int wprof_atomic_write(const char *path, wprof_file_writer write, void *context);

#endif
