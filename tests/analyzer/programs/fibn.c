/* fibn: fib(n) for the n given as the only argument, for the analyzer's
 * `wprof diff --fail-on` test on real recorded databases: two runs that
 * differ only in n differ only in fib's call count. As testdata/fib.c, one
 * call fib(n) makes C(n) = 2 F(n+1) - 1 calls of fib (F(1) = F(2) = 1):
 * n = 20 -> 2 * 10946 - 1 = 21891, n = 21 -> 2 * 17711 - 1 = 35421.
 * Built at -O0 so that every call in the source is a wasm call. */
#include <stdio.h>
#include <stdlib.h>

__attribute__((noinline)) int fib(int n)
{
    if (n < 2)
        return n;
    return fib(n - 1) + fib(n - 2);
}

int main(int argc, char **argv)
{
    if (argc != 2)
        return 2;
    printf("%d\n", fib(atoi(argv[1])));
    return 0;
}
