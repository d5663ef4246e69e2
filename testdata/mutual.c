/* mutual: mutual recursion (is_even/is_odd), checking that two functions
 * calling each other are counted separately and nest correctly.
 * Built at -O0: neither call becomes a loop or a tail call. */
#include <stdio.h>

int is_odd(unsigned n);

__attribute__((noinline)) int is_even(unsigned n)
{
    if (n == 0)
        return 1;
    return is_odd(n - 1);
}

__attribute__((noinline)) int is_odd(unsigned n)
{
    if (n == 0)
        return 0;
    return is_even(n - 1);
}

__attribute__((noinline)) void run(void)
{
    int even100 = is_even(100);
    int odd51 = is_odd(51);
    printf("%d %d\n", even100, odd51);
}

int main(void)
{
    run();
    return 0;
}
