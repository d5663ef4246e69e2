/*
** lz4 workload of bench/realistic (not a test): third-party compression code
** that spends its time in a few long, loop-heavy functions (few calls per
** byte), the opposite of sqlite-workload.c. Compiled to wasm32-wasi with the
** lz4 sources that the npm package lz4 ships (setup.sh) and run plain and
** instrumented by run.sh; its output is the same on every run.
**
**   lz4-workload.wasm [MEGABYTES=20]
**
** Generates MEGABYTES of text from a fixed pseudo-random word sequence, then
** compresses it block by block (64 KiB blocks) with LZ4 fast and with LZ4 HC,
** decompresses both, checks the round trip and prints sizes and checksums.
*/
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lz4.h"
#include "lz4hc.h"

#define BLOCK (64 * 1024)
#define HC_LEVEL 4

static const char *const words[] = {
    "the",     "profiler", "counts",  "every",    "call",    "of",     "a",      "function", "in",
    "module",  "and",      "writes",  "them",     "to",      "sqlite", "while",  "probe",    "events",
    "arrive",  "from",     "guest",   "code",     "running", "under",  "wasm2c", "with",     "timing",
    "stack",   "frames",   "paths",   "tree",     "memory",  "alloc",  "free",   "bytes",    "live",
};

/* A 32-bit LCG (Numerical Recipes): the same text on every run and host. */
static uint32_t lcg_state = 2024;
static uint32_t lcg_next(void) {
  lcg_state = lcg_state * 1664525u + 1013904223u;
  return lcg_state >> 8;
}

/* Fills text[0..len) with words, spaces, numbers and line breaks. Byte by
** byte, without calling libc, so that the calls the profile counts are
** mostly lz4's and the generator costs little next to the compression. */
static void make_text(char *text, size_t len) {
  size_t at = 0, line = 0;
  while (at < len) {
    char piece[16];
    size_t n = 0;
    uint32_t r = lcg_next();
    if (r % 16 == 0) {
      char digits[8];
      size_t d = 0;
      for (uint32_t v = lcg_next() % 100000; d == 0 || v; v /= 10) digits[d++] = (char)('0' + v % 10);
      while (d) piece[n++] = digits[--d];
    } else {
      for (const char *w = words[r % (sizeof words / sizeof *words)]; *w; w++) piece[n++] = *w;
    }
    line += n + 1;
    piece[n++] = line > 72 ? '\n' : ' ';
    if (line > 72) line = 0;
    for (size_t i = 0; i < n && at < len; i++) text[at++] = piece[i];
  }
}

/* FNV-1a, 32 bits. */
static uint32_t checksum(const char *p, size_t len) {
  uint32_t h = 2166136261u;
  for (size_t i = 0; i < len; i++) h = (h ^ (uint8_t)p[i]) * 16777619u;
  return h;
}

static void *xmalloc(size_t n) {
  void *p = malloc(n);
  if (!p) {
    fprintf(stderr, "lz4-workload: out of memory\n");
    exit(1);
  }
  return p;
}

/* Compresses text block by block (hc: LZ4 HC, else LZ4 fast), decompresses
** it into `back` and checks it; prints one line. */
static void round_trip(const char *label, int hc, const char *text, size_t len, char *packed, char *back) {
  size_t packed_len = 0;
  uint32_t packed_sum = 2166136261u;
  for (size_t at = 0; at < len; at += BLOCK) {
    int in = (int)(len - at < BLOCK ? len - at : BLOCK);
    char *out = packed + packed_len;
    int n = hc ? LZ4_compress_HC(text + at, out, in, LZ4_compressBound(in), HC_LEVEL)
               : LZ4_compress_default(text + at, out, in, LZ4_compressBound(in));
    if (n <= 0 || LZ4_decompress_safe(out, back + at, n, in) != in) {
      fprintf(stderr, "lz4-workload: %s: block at %zu failed\n", label, at);
      exit(1);
    }
    packed_sum ^= checksum(out, (size_t)n);
    packed_len += (size_t)n;
  }
  if (memcmp(text, back, len) != 0) {
    fprintf(stderr, "lz4-workload: %s: round trip differs\n", label);
    exit(1);
  }
  printf("%s: %zu -> %zu bytes, packed checksum %08x\n", label, len, packed_len, (unsigned)packed_sum);
}

int main(int argc, char **argv) {
  long mb = argc > 1 ? atol(argv[1]) : 20;
  if (mb <= 0 || mb > 512) {
    fprintf(stderr, "usage: lz4-workload [MEGABYTES in 1..512]\n");
    return 2;
  }
  size_t len = (size_t)mb << 20;
  char *text = xmalloc(len), *back = xmalloc(len);
  char *packed = xmalloc((size_t)LZ4_compressBound(BLOCK) * (len / BLOCK + 1));
  make_text(text, len);
  printf("lz4 %s, %zu bytes of text, checksum %08x\n", LZ4_versionString(), len, (unsigned)checksum(text, len));
  round_trip("lz4 fast", 0, text, len, packed, back);
  round_trip("lz4 hc", 1, text, len, packed, back);
  free(text);
  free(back);
  free(packed);
  return 0;
}
