/*
** allocators: which functions are allocators, and what their arguments mean.
**
** wasm-instrument puts allocation probes inside allocator functions. This
** file is the one place that knows their names (C, C++ mangled for wasm32,
** Rust, TinyGo) and, per kind, which argument is the size, the old pointer
** or the out-pointer (docs/probe-abi.md, "Allocation probes").
*/
#ifndef WPROF_ALLOCATORS_H
#define WPROF_ALLOCATORS_H

#include <stdint.h>

#include "wprof-abi.h"

/* Numbered by the probe ABI (wprof.functions flags, bits 8-15). Arguments:
** malloc (size, ...) -> ptr; calloc (count, size) -> ptr; realloc (old,
** size) -> ptr; free (ptr, ...); aligned_alloc (align, size) -> ptr;
** posix_memalign (out, align, size) -> int, *out = ptr; rust_realloc (old,
** old_size, align, new_size) -> ptr. */
#define ALLOC_KIND_ENUM(NAME, number, name) ALLOC_##NAME = number,
enum alloc_kind { ALLOC_NONE = 0, WPROF_ABI_ALLOC_KINDS(ALLOC_KIND_ENUM) };
#undef ALLOC_KIND_ENUM

/* The kind of a well-known allocator name, or ALLOC_NONE. */
enum alloc_kind alloc_kind_of_name(const char *name);

/* Parses a kind name as given to --alloc NAME=KIND; ALLOC_NONE if unknown. */
enum alloc_kind alloc_kind_parse(const char *kind);

/* "malloc", "calloc", ... */
const char *alloc_kind_name(enum alloc_kind kind);

/* How many i32 parameters the kind reads at least, and whether it needs an
** i32 result; used to check a function's signature before probing it. */
unsigned alloc_kind_min_params(enum alloc_kind kind);
int alloc_kind_has_result(enum alloc_kind kind);

/* The kind names, for --help: "malloc|calloc|...". */
const char *alloc_kind_choices(void);

#endif
