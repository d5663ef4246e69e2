/* A small real C program for the wasm-scan tests (compiled with clang --target=wasm32-wasi -O2). */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int compare(const void *a, const void *b) { return *(const int *)a - *(const int *)b; }

int main(int argc, char **argv) {
  int n = 64 + argc;
  int *v = malloc(n * sizeof *v);
  if (!v)
    return 1;
  for (int i = 0; i < n; i++)
    v[i] = (i * 7919) % 101;
  qsort(v, n, sizeof *v, compare);
  char line[32] = "sorted: ";
  line[8] = (char)('0' + v[n / 2] % 10);
  strcat(line, argv[0] ? "\n" : "!\n");
  write(1, line, strlen(line));
  free(v);
  return 0;
}
