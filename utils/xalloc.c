/* The out-of-memory policy and the allocators that follow it (see xalloc.h). */
#define _GNU_SOURCE /* program_invocation_short_name */
#include "xalloc.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "exit-codes.h"

void wprof_out_of_memory(void) {
  const char *name = program_invocation_short_name;
  static const char msg[] = ": out of memory\n";
  (void)!write(STDERR_FILENO, name, strlen(name));
  (void)!write(STDERR_FILENO, msg, sizeof msg - 1);
  _exit(WPROF_EXIT_INTERNAL);
}

static void *checked(void *p) {
  if (!p) wprof_out_of_memory();
  return p;
}

void *wprof_xmalloc(size_t size) { return checked(malloc(size ? size : 1)); }
void *wprof_xcalloc(size_t count, size_t size) { return checked(calloc(count ? count : 1, size ? size : 1)); }
void *wprof_xrealloc(void *ptr, size_t size) { return checked(realloc(ptr, size ? size : 1)); }
char *wprof_xstrdup(const char *s) { return checked(strdup(s)); }
