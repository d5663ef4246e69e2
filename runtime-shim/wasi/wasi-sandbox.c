/*
** wasi-sandbox: resolve guest paths without leaving a preopened directory.
**
** See wasi-sandbox.h. The kernel does the work when it can (openat2 with
** RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS, Linux >= 5.6). Otherwise walk()
** opens one component at a time with O_PATH|O_NOFOLLOW from a stack of
** directory fds: `..` pops the stack (popping the base is an escape), a
** symlink is read through its own O_PATH fd (no race with a swapped link) and
** its target spliced in front of the remaining path (absolute = escape).
*/
#define _GNU_SOURCE
#include "wasi-sandbox.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

enum { MAX_SYMLINKS = 40, MAX_DEPTH = 512 };

static bool openat2_missing; /* the kernel said ENOSYS: a fact of the whole process */

/* openat2 beneath dirfd; -ENOSYS when the kernel lacks it (then we walk from now on). */
static int open_beneath(int dirfd, const char *path, int flags, mode_t mode) {
  struct open_how how = {
      .flags = (uint64_t)(flags | O_CLOEXEC),
      .mode = ((flags & O_CREAT) || (flags & O_TMPFILE) == O_TMPFILE) ? mode : 0,
      .resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS,
  };
  for (;;) {
    long fd = syscall(SYS_openat2, dirfd, path, &how, sizeof how);
    if (fd >= 0) return (int)fd;
    if (errno == EINTR || errno == EAGAIN) continue; /* EAGAIN: a concurrent rename, retry */
    if (errno == ENOSYS) openat2_missing = true;
    return errno == EXDEV ? -WASI_SANDBOX_ESCAPE : -errno;
  }
}

static bool is_dot_or_dotdot(const char *s, size_t n) {
  return (n == 1 && s[0] == '.') || (n == 2 && s[0] == '.' && s[1] == '.');
}

/* Resolves path beneath dirfd by hand; returns an O_PATH fd of the result. */
static int walk(int dirfd, const char *path, bool follow_last) {
  if (path[0] == '/') return -WASI_SANDBOX_ESCAPE;
  int stack[MAX_DEPTH];
  int depth = 0; /* stack[0..depth) are fds we own, above dirfd */
  int links = 0, result = 0;
  char *rest = strdup(path);
  if (!rest) return -ENOMEM;
  char *p = rest;
  for (;;) {
    while (*p == '/') p++;
    if (!*p) break;
    size_t len = strcspn(p, "/");
    char *after = p + len;
    bool trailing_slash = *after == '/';
    while (*after == '/') after++;
    bool last = *after == '\0';
    int top = depth ? stack[depth - 1] : dirfd;
    if (len == 1 && p[0] == '.') { p = after; continue; }
    if (len == 2 && p[0] == '.' && p[1] == '.') {
      if (depth == 0) { result = -WASI_SANDBOX_ESCAPE; goto out; }
      close(stack[--depth]);
      p = after;
      continue;
    }
    char saved = p[len];
    p[len] = '\0';
    int fd = openat(top, p, O_PATH | O_NOFOLLOW | O_CLOEXEC);
    p[len] = saved;
    if (fd < 0) { result = -errno; goto out; }
    struct stat st;
    if (fstat(fd, &st) != 0) { result = -errno; close(fd); goto out; }
    if (S_ISLNK(st.st_mode) && (!last || follow_last || trailing_slash)) {
      char target[PATH_MAX];
      ssize_t n = readlinkat(fd, "", target, sizeof target - 1);
      close(fd);
      if (n < 0) { result = -errno; goto out; }
      target[n] = '\0';
      if (++links > MAX_SYMLINKS) { result = -ELOOP; goto out; }
      if (target[0] == '/') { result = -WASI_SANDBOX_ESCAPE; goto out; }
      size_t tail = strlen(after);
      char *spliced = malloc((size_t)n + 1 + tail + 1);
      if (!spliced) { result = -ENOMEM; goto out; }
      memcpy(spliced, target, (size_t)n);
      spliced[n] = '/';
      memcpy(spliced + n + 1, after, tail + 1);
      free(rest);
      rest = p = spliced;
      continue;
    }
    if ((!last || trailing_slash) && !S_ISDIR(st.st_mode) && !S_ISLNK(st.st_mode)) {
      close(fd);
      result = -ENOTDIR;
      goto out;
    }
    if (depth == MAX_DEPTH) { close(fd); result = -ENAMETOOLONG; goto out; }
    stack[depth++] = fd;
    p = after;
  }
  if (depth > 0) {
    result = stack[--depth];
  } else {
    result = openat(dirfd, ".", O_PATH | O_CLOEXEC);
    if (result < 0) result = -errno;
  }
out:
  while (depth > 0) close(stack[--depth]);
  free(rest);
  return result;
}

/* Reopens an O_PATH fd with real open flags through /proc (no path lookup). */
static int reopen(int path_fd, int flags) {
  char proc[64];
  snprintf(proc, sizeof proc, "/proc/self/fd/%d", path_fd);
  int fd = open(proc, (flags & ~(O_CREAT | O_EXCL | O_NOFOLLOW)) | O_CLOEXEC);
  return fd < 0 ? -errno : fd;
}

int wasi_sandbox_open(int dirfd, const char *path, int flags, mode_t mode, bool follow_last, bool walk_only) {
  if (!path[0]) return -ENOENT;
  if (!follow_last) flags |= O_NOFOLLOW;
  if (!walk_only && !openat2_missing) {
    int fd = open_beneath(dirfd, path, flags, mode);
    if (fd != -ENOSYS) return fd;
  }
  if (follow_last) {
    int target = walk(dirfd, path, true);
    if (target >= 0) {
      if ((flags & (O_CREAT | O_EXCL)) == (O_CREAT | O_EXCL)) { close(target); return -EEXIST; }
      struct stat st;
      if ((flags & O_DIRECTORY) && (fstat(target, &st) != 0 || !S_ISDIR(st.st_mode))) {
        close(target);
        return -ENOTDIR;
      }
      if (flags & O_PATH) return target;
      int fd = reopen(target, flags);
      close(target);
      return fd;
    }
    if (target != -ENOENT || !(flags & O_CREAT)) return target;
  }
  const char *last;
  int parent = wasi_sandbox_parent(dirfd, path, &last, walk_only);
  if (parent < 0) return parent;
  int fd = openat(parent, last, flags | O_NOFOLLOW | O_CLOEXEC, mode);
  if (fd < 0) fd = -errno;
  close(parent);
  return fd;
}

int wasi_sandbox_parent(int dirfd, const char *path, const char **last, bool walk_only) {
  if (!path[0]) return -ENOENT;
  if (path[0] == '/') return -WASI_SANDBOX_ESCAPE;
  size_t end = strlen(path);
  while (end > 0 && path[end - 1] == '/') end--;
  size_t start = end;
  while (start > 0 && path[start - 1] != '/') start--;
  if (is_dot_or_dotdot(path + start, end - start)) {
    *last = ".";
    return wasi_sandbox_open(dirfd, path, O_PATH | O_DIRECTORY, 0, true, walk_only);
  }
  *last = path + start;
  if (start == 0) {
    int fd = openat(dirfd, ".", O_PATH | O_CLOEXEC);
    return fd < 0 ? -errno : fd;
  }
  char *dir = strndup(path, start);
  if (!dir) return -ENOMEM;
  int fd = wasi_sandbox_open(dirfd, dir, O_PATH | O_DIRECTORY, 0, true, walk_only);
  free(dir);
  return fd;
}
