/* fib: plain recursion, the simplest exact call-count test.
 * run() calls fib(20) once and prints the result.
 * Built at -O0 (see CMakeLists.txt): no inlining, no tail-recursion or
 * accumulator elimination, so every call in the source is a wasm `call`. */
#include <stdio.h>

__attribute__((noinline)) int fib(int n)
{
    if (n < 2)
        return n;
    return fib(n - 1) + fib(n - 2);
}

__attribute__((noinline)) void run(void)
{
    printf("%d\n", fib(20));
}

int main(void)
{
    run();
    return 0;
}
