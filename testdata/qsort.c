/* qsort: calls through function pointers.
 * 1. wasi-libc's qsort (musl smoothsort) calls the comparator `cmp` through a
 *    pointer (call_indirect from inside libc). The program counts its own
 *    comparator calls in a global and prints the count, so the expected count
 *    comes from the program itself, not from wprof.
 * 2. A table of three operations is called in a loop through a volatile
 *    function-pointer table, with counts known from the loop bounds.
 * Built at -O0; the input is fixed (a linear congruential sequence). */
#include <stdio.h>
#include <stdlib.h>

#define ITEMS 64
#define TABLE_ROUNDS 20

static unsigned cmp_calls;

__attribute__((noinline)) int cmp(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    cmp_calls++;
    return (x > y) - (x < y);
}

__attribute__((noinline)) int op_add(int v) { return v + 7; }
__attribute__((noinline)) int op_mul(int v) { return v * 3; }
__attribute__((noinline)) int op_neg(int v) { return -v; }

typedef int (*operation)(int);
static operation volatile operations[3] = {op_add, op_mul, op_neg};

__attribute__((noinline)) void sort_items(void)
{
    int items[ITEMS];
    unsigned state = 12345;
    for (int i = 0; i < ITEMS; i++) {
        state = state * 1103515245u + 12345u;
        items[i] = (int)((state >> 16) % 1000);
    }
    qsort(items, ITEMS, sizeof items[0], cmp);
    long weighted = 0;
    for (int i = 0; i < ITEMS; i++)
        weighted += (long)i * items[i];
    printf("sorted %d..%d weighted %ld cmp %u\n", items[0], items[ITEMS - 1], weighted, cmp_calls);
}

__attribute__((noinline)) void apply_table(void)
{
    int acc = 1;
    for (int i = 0; i < TABLE_ROUNDS; i++)
        acc = operations[i % 3](acc);
    printf("table %d\n", acc);
}

int main(void)
{
    sort_items();
    apply_table();
    return 0;
}
