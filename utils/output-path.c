/* What an output path names (see output-path.h). */
#define _DEFAULT_SOURCE /* readlink, lstat */
#include "output-path.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_LINKS 40 /* as the kernel's path walk */

/* The link's target, relative to the directory that holds the link. */
static char *link_target(const char *link) {
  char target[PATH_MAX];
  ssize_t n = readlink(link, target, sizeof target - 1);
  if (n < 0) return NULL;
  target[n] = '\0';
  const char *slash = strrchr(link, '/');
  if (target[0] == '/' || !slash) return strdup(target);
  size_t dir = (size_t)(slash - link) + 1;
  char *joined = malloc(dir + (size_t)n + 1);
  if (!joined) return NULL;
  memcpy(joined, link, dir);
  memcpy(joined + dir, target, (size_t)n + 1);
  return joined;
}

int wprof_output_resolve(const char *path, struct wprof_output *out) {
  *out = (struct wprof_output){strdup(path), false};
  for (int links = 0; out->path; links++) {
    struct stat st;
    if (lstat(out->path, &st) != 0) {
      if (errno == ENOENT) return 0; /* to be created */
      break;
    }
    if (!S_ISLNK(st.st_mode)) {
      out->direct = S_ISCHR(st.st_mode) || S_ISFIFO(st.st_mode);
      return 0;
    }
    if (links == MAX_LINKS) {
      errno = ELOOP;
      break;
    }
    char *next = link_target(out->path);
    free(out->path);
    out->path = next;
  }
  int saved = errno;
  wprof_output_free(out);
  errno = saved ? saved : ENOMEM;
  return -1;
}

void wprof_output_free(struct wprof_output *out) {
  free(out->path);
  out->path = NULL;
}
