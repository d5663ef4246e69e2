/*
** replay-main: runs the wscan-fuzz target once over each file named on the
** command line, without libFuzzer, so ctest can replay the committed corpus
** and crash inputs with the ordinary (gcc, optionally sanitized) build.
** Exit status: 0 when every input ran, 2 when a file cannot be read; a
** failed check aborts.
*/
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int main(int argc, char **argv) {
  for (int i = 1; i < argc; i++) {
    FILE *f = fopen(argv[i], "rb");
    uint8_t *buf = NULL;
    long len = -1;
    if (f && fseek(f, 0, SEEK_END) == 0 && (len = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0 &&
        (buf = malloc(len ? (size_t)len : 1)) && fread(buf, 1, (size_t)len, f) == (size_t)len) {
      LLVMFuzzerTestOneInput(buf, (size_t)len);
      free(buf);
      fclose(f);
      continue;
    }
    fprintf(stderr, "replay: cannot read %s\n", argv[i]);
    free(buf);
    if (f)
      fclose(f);
    return 2;
  }
  printf("replayed %d inputs\n", argc - 1);
  return 0;
}
