/*
** What an output path names. Writers put a temporary file beside the file
** they replace and rename it into place, which is right for a regular file
** (or none yet) but would replace a device or a FIFO with a regular file, and
** a symbolic link with a file instead of writing through it.
*/
#ifndef WPROF_OUTPUT_PATH_H
#define WPROF_OUTPUT_PATH_H

#include <stdbool.h>

struct wprof_output {
  char *path;   /* the file to replace: the path given, or the end of its chain of symbolic links */
  bool direct;  /* a character device or a FIFO: written in place (not atomically), never replaced */
};

/* Follows the symbolic links of path (a dangling one names the file to create).
** Returns 0, or -1 with errno set (ELOOP, ENOMEM, or lstat's and readlink's). */
int wprof_output_resolve(const char *path, struct wprof_output *out);
void wprof_output_free(struct wprof_output *out);

#endif
