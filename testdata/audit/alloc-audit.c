/* Counting allocator for wasm32-wasi, linked into "-audit" variants of the
 * test programs (never into the programs handed to wprof).
 *
 * It replaces wasi-libc's dlmalloc (an object file wins over libc.a, and every
 * symbol dlmalloc.o exports, __libc_* aliases included, is defined here, so dlmalloc.o is not linked) and
 * counts allocations with the semantics of docs/probe-abi.md: calloc counts
 * once, realloc(p, n) is a free of p plus an allocation of n, realloc(NULL, n)
 * is an allocation, free(NULL) is nothing. At exit it prints the totals on
 * stderr as
 *     audit total allocs <objects> <bytes>
 *     audit total frees <objects> <bytes>
 *     audit total live <objects> <bytes>
 * so tests/testdata can check the hand-derived "total" lines of the expected
 * files, including whatever wasi-libc (start-up, stdio, C++ runtime) allocates
 * behind the program's back, without using wprof.
 *
 * Memory is a bump arena that is never reused: the test programs are small.
 * Each block carries a header holding its size so free() knows what it frees.
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#define ARENA_BYTES (4u << 20)
#define HEADER_BYTES 16u /* keeps blocks 16-aligned, like dlmalloc on wasm32 */

struct tally {
    unsigned long objects;
    unsigned long long bytes;
};

static _Alignas(16) unsigned char arena[ARENA_BYTES];
static size_t arena_used;
static struct tally allocated, freed;

static void *arena_take(size_t size, size_t align)
{
    if (align < HEADER_BYTES)
        align = HEADER_BYTES;
    size_t start = (arena_used + HEADER_BYTES + align - 1) / align * align;
    if (size > ARENA_BYTES || start > ARENA_BYTES - size)
        return NULL;
    arena_used = start + size;
    unsigned char *block = arena + start;
    memcpy(block - sizeof size, &size, sizeof size);
    allocated.objects++;
    allocated.bytes += size;
    return block;
}

static size_t block_size(const void *ptr)
{
    size_t size;
    memcpy(&size, (const unsigned char *)ptr - sizeof size, sizeof size);
    return size;
}

static void block_release(void *ptr)
{
    freed.objects++;
    freed.bytes += block_size(ptr);
}

void *malloc(size_t size) { return arena_take(size, 0); }

void *calloc(size_t count, size_t size)
{
    if (size != 0 && count > SIZE_MAX / size)
        return NULL;
    void *block = arena_take(count * size, 0);
    if (block)
        memset(block, 0, count * size);
    return block;
}

void free(void *ptr)
{
    if (ptr)
        block_release(ptr);
}

void *realloc(void *ptr, size_t size)
{
    void *block = arena_take(size, 0);
    if (block && ptr) {
        size_t old = block_size(ptr);
        memcpy(block, ptr, old < size ? old : size);
        block_release(ptr);
    }
    return block;
}

void *aligned_alloc(size_t align, size_t size) { return arena_take(size, align); }

int posix_memalign(void **out, size_t align, size_t size)
{
    void *block = arena_take(size, align);
    if (!block)
        return ENOMEM;
    *out = block;
    return 0;
}

size_t malloc_usable_size(void *ptr) { return ptr ? block_size(ptr) : 0; }

/* Internal names wasi-libc's own code (atexit, locales) calls dlmalloc by. */
void *__libc_malloc(size_t size) { return malloc(size); }
void *__libc_calloc(size_t count, size_t size) { return calloc(count, size); }
void __libc_free(void *ptr) { free(ptr); }

static void put_tally(const char *what, struct tally t)
{
    char line[96];
    char digits[2][24];
    unsigned long long values[2] = {t.objects, t.bytes};
    for (int i = 0; i < 2; i++) {
        char *end = digits[i] + sizeof digits[i];
        *--end = '\0';
        do
            *--end = (char)('0' + values[i] % 10);
        while (values[i] /= 10);
        memmove(digits[i], end, strlen(end) + 1);
    }
    size_t n = 0;
    const char *parts[] = {"audit total ", what, " ", digits[0], " ", digits[1], "\n"};
    for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++) {
        size_t len = strlen(parts[i]);
        memcpy(line + n, parts[i], len);
        n += len;
    }
    (void)!write(2, line, n);
}

/* Runs from __wasm_call_dtors: after main returns and from exit(). */
__attribute__((destructor)) static void audit_report(void)
{
    struct tally live = {allocated.objects - freed.objects, allocated.bytes - freed.bytes};
    put_tally("allocs", allocated);
    put_tally("frees", freed);
    put_tally("live", live);
}
