/* phases: the program of the flame graph browser test (flame.test.mjs),
 * whose call counts follow by hand from its three arguments A B C:
 *   main calls alpha A times, beta B times and omega C times;
 *   alpha, beta and omega each call leaf once per call;
 *   omega also allocates 100 bytes (malloc) and frees them, once per call.
 * So main;alpha has A calls and main;alpha;leaf A: the frame main;alpha is
 * 2A calls wide, main;beta 2B. Two runs, "10 30 0" and "30 10 5", differ
 * in a known way: alpha grew, beta shrank, omega is new. The arguments are
 * parsed without calling libc, and the program is built at -O0 so that
 * every call in the source is a wasm call. */
#include <stdlib.h>

static volatile int sink;

__attribute__((noinline)) void leaf(int i) { sink += i; }

__attribute__((noinline)) void alpha(int i) { leaf(i); }

__attribute__((noinline)) void beta(int i) { leaf(-i); }

__attribute__((noinline)) void omega(int i)
{
  char *block = malloc(100);
  block[0] = (char)i;
  leaf(block[0]);
  free(block);
}

static int number(const char *s)
{
  int n = 0;
  for (; *s >= '0' && *s <= '9'; s++)
    n = 10 * n + (*s - '0');
  return n;
}

int main(int argc, char **argv)
{
  if (argc != 4)
    return 2;
  int a = number(argv[1]), b = number(argv[2]), c = number(argv[3]);
  for (int i = 0; i < a; i++)
    alpha(i);
  for (int i = 0; i < b; i++)
    beta(i);
  for (int i = 0; i < c; i++)
    omega(i);
  return 0;
}
