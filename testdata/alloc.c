/* alloc: the C allocation API with known sizes, for allocation profiles.
 * Each allocating function below is the direct caller of the allocator, so
 * it is the frame an allocation is credited to. Blocks are freed elsewhere
 * (release) to check that frees are credited to where a block was allocated.
 * Covers malloc, calloc, realloc (NULL, growth), aligned_alloc,
 * posix_memalign, free(NULL) and two deliberate leaks.
 * Pointers are kept in globals so nothing can be optimised away; built at
 * -O0 anyway. main(void) and fputs keep wasi-libc from allocating. */
#include <stdio.h>
#include <stdlib.h>

#define NODES 5
#define NODE_BYTES 24

static void *nodes[NODES];
static void *leaked;

__attribute__((noinline)) void *new_node(void)
{
    return malloc(NODE_BYTES);
}

__attribute__((noinline)) int *new_table(size_t entries)
{
    return calloc(entries, sizeof(int));
}

__attribute__((noinline)) void release(void *ptr)
{
    free(ptr);
}

/* Grows one buffer from nothing with realloc, then frees it here. */
__attribute__((noinline)) void grow_buffer(void)
{
    char *buffer = realloc(NULL, 16);
    buffer[0] = 'a';
    buffer = realloc(buffer, 64);
    buffer[63] = 'b';
    buffer = realloc(buffer, 256);
    buffer[255] = 'c';
    free(buffer);
}

__attribute__((noinline)) void *aligned_blocks(void)
{
    void *second = NULL;
    void *first = aligned_alloc(32, 64);
    if (posix_memalign(&second, 16, 48) != 0)
        return NULL;
    free(first);
    return second;
}

__attribute__((noinline)) void leak_block(void)
{
    leaked = malloc(1000);
}

int main(void)
{
    for (int i = 0; i < NODES; i++)
        nodes[i] = new_node();
    int *small = new_table(10);
    int *tiny = new_table(3);
    grow_buffer();
    void *aligned = aligned_blocks();
    leak_block();
    for (int i = 0; i < NODES - 1; i++) /* the last node leaks */
        release(nodes[i]);
    release(small);
    release(tiny);
    release(aligned);
    release(NULL);
    fputs(small && tiny && aligned && leaked ? "ok\n" : "allocation failed\n", stdout);
    return 0;
}
