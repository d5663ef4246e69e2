/* escape: tries to leave the preopened directory (fd 3) with raw WASI calls
** and prints the WASI errno of each attempt (0 = allowed). The driver
** prepares fd 3 with: sub/file, up -> .., root -> /, chain1 -> chain2,
** chain2 -> ../outside.txt, inner -> sub, loop1 <-> loop2, abs -> /tmp, and
** puts outside.txt next to it. */
#include <stdio.h>
#include <string.h>
#include <wasi/api.h>

#define DIR 3
#define FOLLOW __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW
#define READ_RIGHTS (__WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_FILESTAT_GET)

static int open_at(const char *path, __wasi_lookupflags_t flags) {
  __wasi_fd_t fd;
  __wasi_errno_t e = __wasi_path_open(DIR, flags, path, 0, READ_RIGHTS, 0, 0, &fd);
  if (e == 0) (void)__wasi_fd_close(fd);
  return e;
}

static int stat_at(const char *path, __wasi_lookupflags_t flags) {
  __wasi_filestat_t st;
  return __wasi_path_filestat_get(DIR, flags, path, &st);
}

#define TRY(label, expr) printf("%-28s %d\n", label, (int)(expr))

int main(void) {
  TRY("open ../outside.txt", open_at("../outside.txt", FOLLOW));
  TRY("open sub/../../outside.txt", open_at("sub/../../outside.txt", FOLLOW));
  TRY("open /etc/passwd", open_at("/etc/passwd", FOLLOW));
  TRY("open up/outside.txt", open_at("up/outside.txt", FOLLOW));
  TRY("open root/etc/passwd", open_at("root/etc/passwd", FOLLOW));
  TRY("open chain1", open_at("chain1", FOLLOW));
  TRY("open chain1 nofollow", open_at("chain1", 0));
  TRY("stat chain1 nofollow", stat_at("chain1", 0));
  TRY("stat chain1", stat_at("chain1", FOLLOW));
  TRY("open loop1", open_at("loop1", FOLLOW));
  TRY("open abs", open_at("abs", FOLLOW));
  TRY("open sub/../sub/file", open_at("sub/../sub/file", FOLLOW));
  TRY("open inner/file", open_at("inner/file", FOLLOW));
  TRY("open sub/file/..", open_at("sub/file/..", FOLLOW));
  TRY("stat .", stat_at(".", FOLLOW));
  TRY("stat ..", stat_at("..", FOLLOW));
  TRY("stat sub/..", stat_at("sub/..", FOLLOW));
  TRY("stat up nofollow", stat_at("up", 0));
  TRY("symlink made -> escape", __wasi_path_symlink("../outside.txt", DIR, "made"));
  TRY("open made", open_at("made", FOLLOW));
  TRY("symlink ../made2", __wasi_path_symlink("sub", DIR, "../made2"));
  TRY("rename sub/file ../stolen", __wasi_path_rename(DIR, "sub/file", DIR, "../stolen"));
  TRY("rename ../outside.txt in", __wasi_path_rename(DIR, "../outside.txt", DIR, "in"));
  TRY("rename up/outside.txt in", __wasi_path_rename(DIR, "up/outside.txt", DIR, "in"));
  TRY("link sub/file ../linked", __wasi_path_link(DIR, 0, "sub/file", DIR, "../linked"));
  TRY("link ../outside.txt in", __wasi_path_link(DIR, 0, "../outside.txt", DIR, "in"));
  TRY("link follow chain1 in", __wasi_path_link(DIR, FOLLOW, "chain1", DIR, "in"));
  TRY("mkdir ../newdir", __wasi_path_create_directory(DIR, "../newdir"));
  TRY("mkdir sub/../../newdir", __wasi_path_create_directory(DIR, "sub/../../newdir"));
  TRY("unlink ../outside.txt", __wasi_path_unlink_file(DIR, "../outside.txt"));
  TRY("unlink up/outside.txt", __wasi_path_unlink_file(DIR, "up/outside.txt"));
  TRY("rmdir ..", __wasi_path_remove_directory(DIR, ".."));
  char buf[16];
  __wasi_size_t n = 0;
  TRY("readlink up", __wasi_path_readlink(DIR, "up", (uint8_t *)buf, sizeof buf, &n));
  printf("readlink up -> %.*s\n", (int)n, buf);
  TRY("readlink ../x", __wasi_path_readlink(DIR, "../x", (uint8_t *)buf, sizeof buf, &n));
  TRY("set times ../outside.txt", __wasi_path_filestat_set_times(DIR, FOLLOW, "../outside.txt", 0, 0,
                                                                 __WASI_FSTFLAGS_MTIM_NOW));
  TRY("set times chain1", __wasi_path_filestat_set_times(DIR, FOLLOW, "chain1", 0, 0, __WASI_FSTFLAGS_MTIM_NOW));
  TRY("open ok after all", open_at("sub/file", 0));
  return 0;
}
