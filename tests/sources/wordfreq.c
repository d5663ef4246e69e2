/*
** wordfreq: the program of the source-location test (run.sh). Counts the
** words of a built-in text; its functions' lines are what the test expects
** `wprof report` and `go tool pprof -list` to show.
*/
#include <stdio.h>
#include <string.h>

#define TABLE 64

struct entry {
  char word[16];
  int count;
};

static struct entry table[TABLE];

__attribute__((noinline)) static unsigned hash_word(const char *w, size_t n) {
  unsigned h = 5381;
  for (size_t i = 0; i < n; i++) h = h * 33 + (unsigned char)w[i];
  return h;
}

__attribute__((noinline)) static void count_word(const char *w, size_t n) {
  if (n >= sizeof table[0].word) n = sizeof table[0].word - 1;
  unsigned slot = hash_word(w, n) % TABLE;
  while (table[slot].count && strncmp(table[slot].word, w, n) != 0) slot = (slot + 1) % TABLE;
  memcpy(table[slot].word, w, n);
  table[slot].count++;
}

__attribute__((noinline)) static int count_text(const char *text) {
  int words = 0;
  const char *p = text;
  while (*p) {
    while (*p == ' ') p++;
    const char *start = p;
    while (*p && *p != ' ') p++;
    if (p > start) count_word(start, (size_t)(p - start)), words++;
  }
  return words;
}

int main(void) {
  int words = 0;
  for (int round = 0; round < 200; round++)
    words += count_text("the quick brown fox jumps over the lazy dog and the dog sleeps");
  printf("%d words\n", words);
  return 0;
}
