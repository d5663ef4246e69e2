/* fib: the call-heavy microbenchmark of bench/run/bench.sh. fib(n) makes
** 2 F(n+1) - 1 calls of fib when every call stays a call (noinline; the
** profile's own count is what the benchmark divides by). */
#include <stdio.h>
#include <stdlib.h>

__attribute__((noinline)) static unsigned fib(unsigned n) { return n < 2 ? n : fib(n - 1) + fib(n - 2); }

int main(int argc, char **argv) {
  unsigned n = argc > 1 ? (unsigned)atoi(argv[1]) : 30;
  printf("fib(%u) = %u\n", n, fib(n));
  return 0;
}
