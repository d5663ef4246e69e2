/* trap: a run that ends in a wasm trap at call depth 4 below main
 * (run -> level1 -> level2 -> level3 -> unreachable), after known calls.
 * Output goes through write() so it reaches stdout before the trap (stdio
 * buffers would be lost). Built at -O0. */
#include <string.h>
#include <unistd.h>

static volatile int ticks;

__attribute__((noinline)) void tick(void)
{
    ticks++;
}

__attribute__((noinline)) void level3(void)
{
    static const char message[] = "about to trap\n";
    (void)!write(1, message, strlen(message));
    __builtin_trap();
}

__attribute__((noinline)) void level2(void)
{
    tick();
    level3();
    tick(); /* never reached */
}

__attribute__((noinline)) void level1(void)
{
    for (int i = 0; i < 4; i++)
        tick();
    level2();
}

__attribute__((noinline)) void run(void)
{
    level1();
}

int main(void)
{
    run();
    return 0;
}
