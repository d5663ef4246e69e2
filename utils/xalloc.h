/*
** Out of memory, one policy for every wprof command: an allocation that
** fails is not recovered from. wprof_out_of_memory() writes one line,
** "PROGRAM: out of memory", on stderr and ends the process with
** WPROF_EXIT_INTERNAL (70, utils/exit-codes.h), by write(2) and _exit(2)
** alone, so that it may be called anywhere: in a probe, in a signal handler,
** in a forked child. The x-allocators below call it instead of returning NULL;
** code that already backs out of a failure cleanly may instead return
** WPROF_EXIT_INTERNAL itself, the same code.
*/
#ifndef WPROF_XALLOC_H
#define WPROF_XALLOC_H

#include <stddef.h>

_Noreturn void wprof_out_of_memory(void);

/* malloc, calloc, realloc and strdup that never return NULL (a size of 0
** allocates 1 byte, so that a result is never NULL either). */
void *wprof_xmalloc(size_t size);
void *wprof_xcalloc(size_t count, size_t size);
void *wprof_xrealloc(void *ptr, size_t size);
char *wprof_xstrdup(const char *s);

#endif
