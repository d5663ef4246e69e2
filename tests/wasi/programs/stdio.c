/* stdio: bytes through stdout and stderr, stdin echoed, exit code 42.
** Compared byte for byte between `wprof run` and Node's WASI. */
#include <stdio.h>
#include <unistd.h>

int main(void) {
  static const unsigned char raw[] = {0, 1, '\r', '\n', 0x7f, 0x80, 0xff, '\n'};
  printf("out: line one\n");
  fflush(stdout);
  write(1, raw, sizeof raw);
  fprintf(stderr, "err: to stderr\n");
  unsigned long total = 0, sum = 0;
  char buf[4096];
  ssize_t n;
  while ((n = read(0, buf, sizeof buf)) > 0) {
    for (ssize_t i = 0; i < n; i++) sum = sum * 31 + (unsigned char)buf[i];
    total += (unsigned long)n;
  }
  printf("stdin: %lu bytes, hash %lu\n", total, sum % 1000003);
  printf("no newline at the end");
  return 42;
}
