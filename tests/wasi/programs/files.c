/* files: file and directory operations inside the preopened directory
** "/sandbox" (it must start empty); prints one line per step. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define STEP(label, expr) printf("%s: %d\n", label, (expr) < 0 ? -errno : 0)

static int cmp(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static void list(const char *dir) {
  char *names[64];
  int n = 0;
  DIR *d = opendir(dir);
  struct dirent *e;
  while (d && (e = readdir(d)) && n < 64)
    if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) names[n++] = strdup(e->d_name);
  if (d) closedir(d);
  qsort(names, n, sizeof names[0], cmp);
  printf("ls %s:", dir);
  for (int i = 0; i < n; i++) {
    printf(" %s", names[i]);
    free(names[i]);
  }
  printf("\n");
}

int main(void) {
  char buf[64];
  struct stat st;
  STEP("mkdir d", mkdir("/sandbox/d", 0755));
  int fd = open("/sandbox/d/a.txt", O_CREAT | O_WRONLY | O_TRUNC, 0644);
  printf("write: %zd\n", write(fd, "hello world\n", 12));
  close(fd);
  STEP("stat a", stat("/sandbox/d/a.txt", &st));
  printf("size %lld\n", (long long)st.st_size);
  fd = open("/sandbox/d/a.txt", O_RDWR);
  printf("seek: %lld\n", (long long)lseek(fd, 6, SEEK_SET));
  printf("read: %zd <%.5s>\n", read(fd, buf, 5), buf);
  printf("tell: %lld\n", (long long)lseek(fd, 0, SEEK_CUR));
  printf("pwrite: %zd\n", pwrite(fd, "W", 1, 6));
  memset(buf, 0, sizeof buf);
  printf("pread: %zd <%s>\n", pread(fd, buf, 5, 6), buf);
  STEP("ftruncate", ftruncate(fd, 5));
  fstat(fd, &st);
  printf("size %lld\n", (long long)st.st_size);
  printf("end: %lld\n", (long long)lseek(fd, 0, SEEK_END));
  close(fd);
  STEP("rename a b", rename("/sandbox/d/a.txt", "/sandbox/d/b.txt"));
  STEP("stat a", stat("/sandbox/d/a.txt", &st));
  STEP("link b c", link("/sandbox/d/b.txt", "/sandbox/d/c.txt"));
  stat("/sandbox/d/b.txt", &st);
  printf("nlink %d\n", (int)st.st_nlink);
  STEP("symlink l", symlink("b.txt", "/sandbox/d/l"));
  ssize_t n = readlink("/sandbox/d/l", buf, sizeof buf);
  printf("readlink: %zd <%.*s>\n", n, (int)n, buf);
  stat("/sandbox/d/l", &st);
  printf("stat l: size %lld reg %d\n", (long long)st.st_size, S_ISREG(st.st_mode));
  lstat("/sandbox/d/l", &st);
  printf("lstat l: lnk %d\n", S_ISLNK(st.st_mode));
  STEP("mkdir sub", mkdir("/sandbox/d/sub", 0755));
  close(open("/sandbox/d/sub/x", O_CREAT | O_WRONLY, 0644));
  close(open("/sandbox/d/sub/y", O_CREAT | O_WRONLY, 0644));
  list("/sandbox/d");
  list("/sandbox/d/sub");
  STEP("rmdir full", rmdir("/sandbox/d/sub"));
  STEP("unlink x", unlink("/sandbox/d/sub/x"));
  STEP("unlink y", unlink("/sandbox/d/sub/y"));
  STEP("rmdir sub", rmdir("/sandbox/d/sub"));
  STEP("unlink c", unlink("/sandbox/d/c.txt"));
  STEP("unlink missing", unlink("/sandbox/d/none"));
  STEP("mkdir again", mkdir("/sandbox/d", 0755));
  struct timespec times[2] = {{1000, 0}, {2000, 500}};
  STEP("utimens", utimensat(AT_FDCWD, "/sandbox/d/b.txt", times, 0));
  stat("/sandbox/d/b.txt", &st);
  printf("mtime %lld.%09ld atime %lld\n", (long long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec,
         (long long)st.st_atim.tv_sec);
  fd = open("/sandbox/d/b.txt", O_RDONLY);
  printf("write to read-only: %zd errno %d\n", write(fd, "x", 1), errno);
  close(fd);
  STEP("open missing", open("/sandbox/d/none", O_RDONLY));
  STEP("open dir for writing", open("/sandbox/d", O_WRONLY));
  STEP("open excl existing", open("/sandbox/d/b.txt", O_CREAT | O_EXCL | O_WRONLY, 0644));
  fd = open("/sandbox/d/b.txt", O_WRONLY | O_APPEND);
  write(fd, "!", 1);
  close(fd);
  fd = open("/sandbox/d/b.txt", O_RDONLY);
  memset(buf, 0, sizeof buf);
  printf("append: %zd <%s>\n", read(fd, buf, sizeof buf - 1), buf);
  close(fd);
  list("/sandbox");
  list("/sandbox/d");
  return 0;
}
