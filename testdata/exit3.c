/* exit3: exit(3) from inside nested calls (run -> outer -> middle -> inner).
 * exit() runs the atexit handler and flushes stdio before proc_exit(3), so
 * both printf lines reach stdout. Built at -O0. */
#include <stdio.h>
#include <stdlib.h>

static volatile int steps;

__attribute__((noinline)) void step(void)
{
    steps++;
}

__attribute__((noinline)) void on_exit_handler(void)
{
    printf("atexit handler after %d steps\n", steps);
}

__attribute__((noinline)) void inner(void)
{
    printf("leaving with 3\n");
    exit(3);
}

__attribute__((noinline)) void middle(void)
{
    for (int i = 0; i < 4; i++)
        step();
    inner();
    step(); /* never reached */
}

__attribute__((noinline)) void outer(void)
{
    middle();
}

__attribute__((noinline)) void run(void)
{
    atexit(on_exit_handler);
    outer();
}

int main(void)
{
    run();
    return 0;
}
