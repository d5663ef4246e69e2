/*
** allocators: the table of known allocator names and the meaning of each
** kind's arguments. See allocators.h.
*/
#include "allocators.h"

#include <stddef.h>
#include <string.h>

struct known_allocator {
  const char *name;
  enum alloc_kind kind;
};

/* wasm32 has a 32-bit size_t spelled `unsigned long` (m) by clang; `j`
** (unsigned int) spellings come from other toolchains. */
static const struct known_allocator known[] = {
    {"malloc", ALLOC_MALLOC},
    {"calloc", ALLOC_CALLOC},
    {"realloc", ALLOC_REALLOC},
    {"free", ALLOC_FREE},
    {"aligned_alloc", ALLOC_ALIGNED_ALLOC},
    {"memalign", ALLOC_ALIGNED_ALLOC},
    {"posix_memalign", ALLOC_POSIX_MEMALIGN},
    /* Rust's global allocator shims */
    {"__rust_alloc", ALLOC_MALLOC},
    {"__rust_alloc_zeroed", ALLOC_MALLOC},
    {"__rust_realloc", ALLOC_RUST_REALLOC},
    {"__rust_dealloc", ALLOC_FREE},
    /* TinyGo: garbage collected, so blocks are never freed explicitly */
    {"runtime.alloc", ALLOC_MALLOC},
    /* C++ operator new / new[] (plain, nothrow, aligned, aligned nothrow) */
    {"_Znwm", ALLOC_MALLOC},
    {"_Znam", ALLOC_MALLOC},
    {"_Znwj", ALLOC_MALLOC},
    {"_Znaj", ALLOC_MALLOC},
    {"_ZnwmRKSt9nothrow_t", ALLOC_MALLOC},
    {"_ZnamRKSt9nothrow_t", ALLOC_MALLOC},
    {"_ZnwjRKSt9nothrow_t", ALLOC_MALLOC},
    {"_ZnajRKSt9nothrow_t", ALLOC_MALLOC},
    {"_ZnwmSt11align_val_t", ALLOC_MALLOC},
    {"_ZnamSt11align_val_t", ALLOC_MALLOC},
    {"_ZnwjSt11align_val_t", ALLOC_MALLOC},
    {"_ZnajSt11align_val_t", ALLOC_MALLOC},
    {"_ZnwmSt11align_val_tRKSt9nothrow_t", ALLOC_MALLOC},
    {"_ZnamSt11align_val_tRKSt9nothrow_t", ALLOC_MALLOC},
    {"_ZnwjSt11align_val_tRKSt9nothrow_t", ALLOC_MALLOC},
    {"_ZnajSt11align_val_tRKSt9nothrow_t", ALLOC_MALLOC},
    /* C++ operator delete / delete[] (plain, sized, aligned, nothrow) */
    {"_ZdlPv", ALLOC_FREE},
    {"_ZdaPv", ALLOC_FREE},
    {"_ZdlPvm", ALLOC_FREE},
    {"_ZdaPvm", ALLOC_FREE},
    {"_ZdlPvj", ALLOC_FREE},
    {"_ZdaPvj", ALLOC_FREE},
    {"_ZdlPvSt11align_val_t", ALLOC_FREE},
    {"_ZdaPvSt11align_val_t", ALLOC_FREE},
    {"_ZdlPvmSt11align_val_t", ALLOC_FREE},
    {"_ZdaPvmSt11align_val_t", ALLOC_FREE},
    {"_ZdlPvjSt11align_val_t", ALLOC_FREE},
    {"_ZdaPvjSt11align_val_t", ALLOC_FREE},
    {"_ZdlPvRKSt9nothrow_t", ALLOC_FREE},
    {"_ZdaPvRKSt9nothrow_t", ALLOC_FREE},
    {"_ZdlPvSt11align_val_tRKSt9nothrow_t", ALLOC_FREE},
    {"_ZdaPvSt11align_val_tRKSt9nothrow_t", ALLOC_FREE},
    /* wasm-ld writes demangled C++ names into the name section */
    {"operator new(unsigned long)", ALLOC_MALLOC},
    {"operator new[](unsigned long)", ALLOC_MALLOC},
    {"operator new(unsigned long, std::nothrow_t const&)", ALLOC_MALLOC},
    {"operator new[](unsigned long, std::nothrow_t const&)", ALLOC_MALLOC},
    {"operator new(unsigned long, std::align_val_t)", ALLOC_MALLOC},
    {"operator new[](unsigned long, std::align_val_t)", ALLOC_MALLOC},
    {"operator new(unsigned long, std::align_val_t, std::nothrow_t const&)", ALLOC_MALLOC},
    {"operator new[](unsigned long, std::align_val_t, std::nothrow_t const&)", ALLOC_MALLOC},
    {"operator new(unsigned int)", ALLOC_MALLOC},
    {"operator new[](unsigned int)", ALLOC_MALLOC},
    {"operator new(unsigned int, std::nothrow_t const&)", ALLOC_MALLOC},
    {"operator new[](unsigned int, std::nothrow_t const&)", ALLOC_MALLOC},
    {"operator new(unsigned int, std::align_val_t)", ALLOC_MALLOC},
    {"operator new[](unsigned int, std::align_val_t)", ALLOC_MALLOC},
    {"operator delete(void*)", ALLOC_FREE},
    {"operator delete[](void*)", ALLOC_FREE},
    {"operator delete(void*, unsigned long)", ALLOC_FREE},
    {"operator delete[](void*, unsigned long)", ALLOC_FREE},
    {"operator delete(void*, unsigned int)", ALLOC_FREE},
    {"operator delete[](void*, unsigned int)", ALLOC_FREE},
    {"operator delete(void*, std::align_val_t)", ALLOC_FREE},
    {"operator delete[](void*, std::align_val_t)", ALLOC_FREE},
    {"operator delete(void*, unsigned long, std::align_val_t)", ALLOC_FREE},
    {"operator delete[](void*, unsigned long, std::align_val_t)", ALLOC_FREE},
    {"operator delete(void*, unsigned int, std::align_val_t)", ALLOC_FREE},
    {"operator delete[](void*, unsigned int, std::align_val_t)", ALLOC_FREE},
    {"operator delete(void*, std::nothrow_t const&)", ALLOC_FREE},
    {"operator delete[](void*, std::nothrow_t const&)", ALLOC_FREE},
    {"operator delete(void*, std::align_val_t, std::nothrow_t const&)", ALLOC_FREE},
    {"operator delete[](void*, std::align_val_t, std::nothrow_t const&)", ALLOC_FREE},
};

#define KIND_NAME(NAME, number, name) [number] = name,
static const char *const kind_names[WPROF_ABI_ALLOC_KIND_COUNT] = {[ALLOC_NONE] = "none", WPROF_ABI_ALLOC_KINDS(KIND_NAME)};
#undef KIND_NAME

static const unsigned min_params[] = {
    [ALLOC_NONE] = 0,   [ALLOC_MALLOC] = 1,          [ALLOC_CALLOC] = 2,
    [ALLOC_REALLOC] = 2, [ALLOC_FREE] = 1,           [ALLOC_ALIGNED_ALLOC] = 2,
    [ALLOC_POSIX_MEMALIGN] = 3, [ALLOC_RUST_REALLOC] = 4,
};

enum alloc_kind alloc_kind_of_name(const char *name) {
  if (!name) return ALLOC_NONE;
  for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
    if (strcmp(known[i].name, name) == 0) return known[i].kind;
  return ALLOC_NONE;
}

enum alloc_kind alloc_kind_parse(const char *kind) {
  for (size_t k = ALLOC_MALLOC; k < sizeof kind_names / sizeof kind_names[0]; k++)
    if (strcmp(kind_names[k], kind) == 0) return (enum alloc_kind)k;
  return ALLOC_NONE;
}

const char *alloc_kind_name(enum alloc_kind kind) { return kind_names[kind]; }

unsigned alloc_kind_min_params(enum alloc_kind kind) { return min_params[kind]; }

int alloc_kind_has_result(enum alloc_kind kind) { return kind != ALLOC_FREE && kind != ALLOC_NONE; }

const char *alloc_kind_choices(void) {
#define KIND_CHOICE(NAME, number, name) "|" name
  return &WPROF_ABI_ALLOC_KINDS(KIND_CHOICE)[1];
#undef KIND_CHOICE
}
