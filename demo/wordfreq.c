/*
** wordfreq: the demo program of wprof's README (scripts/demo.sh).
**
** Counts the words of a built-in text repeated N times (argv[1], default
** 200), in a hash table that grows, and prints the ten most frequent words.
** It has what a profile should show: a hot loop, calls through a function
** pointer (qsort's comparator), allocations of several sizes, a realloc'd
** array, and one deliberate leak. The main steps are kept out of line so
** that the profile shows them as functions.
*/
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char text[] =
    "It was the best of times, it was the worst of times, it was the age of "
    "wisdom, it was the age of foolishness, it was the epoch of belief, it was "
    "the epoch of incredulity, it was the season of Light, it was the season of "
    "Darkness, it was the spring of hope, it was the winter of despair.";

struct entry {
  char *word;
  unsigned count;
  struct entry *next;
};

struct table {
  struct entry **buckets;
  unsigned size, used;
};

static unsigned hash(const char *s) {
  unsigned h = 2166136261u;
  while (*s) h = (h ^ (unsigned char)*s++) * 16777619u;
  return h;
}

__attribute__((noinline)) static void grow(struct table *t) {
  unsigned size = t->size ? t->size * 2 : 8;
  struct entry **buckets = calloc(size, sizeof *buckets);
  for (unsigned i = 0; i < t->size; i++) {
    for (struct entry *e = t->buckets[i], *next; e; e = next) {
      next = e->next;
      unsigned b = hash(e->word) & (size - 1);
      e->next = buckets[b];
      buckets[b] = e;
    }
  }
  free(t->buckets);
  t->buckets = buckets;
  t->size = size;
}

__attribute__((noinline)) static void count_word(struct table *t, const char *word) {
  if (t->used * 4 >= t->size * 3) grow(t);
  unsigned b = hash(word) & (t->size - 1);
  for (struct entry *e = t->buckets[b]; e; e = e->next) {
    if (strcmp(e->word, word) == 0) {
      e->count++;
      return;
    }
  }
  struct entry *e = malloc(sizeof *e);
  e->word = strdup(word);
  e->count = 1;
  e->next = t->buckets[b];
  t->buckets[b] = e;
  t->used++;
}

__attribute__((noinline)) static void count_text(struct table *t, const char *s) {
  char word[64];
  size_t n = 0;
  for (;; s++) {
    if (isalpha((unsigned char)*s) && n < sizeof word - 1) {
      word[n++] = (char)tolower((unsigned char)*s);
    } else if (n > 0) {
      word[n] = '\0';
      count_word(t, word);
      n = 0;
    }
    if (!*s) break;
  }
}

static int by_count(const void *a, const void *b) {
  const struct entry *x = *(struct entry *const *)a, *y = *(struct entry *const *)b;
  if (x->count != y->count) return x->count < y->count ? 1 : -1;
  return strcmp(x->word, y->word);
}

__attribute__((noinline)) static struct entry **sorted_entries(const struct table *t) {
  struct entry **all = NULL;
  unsigned n = 0;
  for (unsigned i = 0; i < t->size; i++) {
    for (struct entry *e = t->buckets[i]; e; e = e->next) {
      all = realloc(all, (n + 1) * sizeof *all); /* one by one: a realloc-heavy path */
      all[n++] = e;
    }
  }
  qsort(all, n, sizeof *all, by_count);
  return all;
}

__attribute__((noinline)) static void free_table(struct table *t) {
  for (unsigned i = 0; i < t->size; i++) {
    for (struct entry *e = t->buckets[i], *next; e; e = next) {
      next = e->next;
      free(e->word);
      free(e);
    }
  }
  free(t->buckets);
}

int main(int argc, char **argv) {
  int repeat = argc > 1 ? atoi(argv[1]) : 200;
  struct table t = {0};
  for (int i = 0; i < repeat; i++) count_text(&t, text);
  struct entry **top = sorted_entries(&t);
  unsigned shown = t.used < 10 ? t.used : 10;
  printf("%u distinct words; the %u most frequent:\n", t.used, shown);
  for (unsigned i = 0; i < shown; i++) printf("%8u %s\n", top[i]->count, top[i]->word);
  /* `top` is not freed: a deliberate leak for `wprof report leaks` */
  free_table(&t);
  return 0;
}
