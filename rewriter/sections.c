/*
** sections: DWARF stripping and the wprof.functions and wprof.sources
** sections. See sections.h.
*/
#include "sections.h"

#include <stdbool.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "xalloc.h"

static void reserve(struct bytes *b, size_t more) {
  if (b->len + more <= b->cap) return;
  size_t cap = b->cap ? b->cap : 256;
  while (cap < b->len + more) cap *= 2;
  b->data = wprof_xrealloc(b->data, cap);
  b->cap = cap;
}

static void put(struct bytes *b, const void *p, size_t n) {
  if (n == 0) return;
  reserve(b, n);
  memcpy(b->data + b->len, p, n);
  b->len += n;
}

static void put_u32(struct bytes *b, uint32_t v) {
  uint8_t buf[5];
  size_t n = 0;
  do {
    uint8_t byte = v & 0x7f;
    v >>= 7;
    buf[n++] = byte | (v ? 0x80 : 0);
  } while (v);
  put(b, buf, n);
}

static void put_string(struct bytes *b, const char *s) {
  size_t n = strlen(s);
  put_u32(b, (uint32_t)n);
  put(b, s, n);
}

void bytes_free(struct bytes *b) {
  free(b->data);
  memset(b, 0, sizeof *b);
}

void function_map_encode(struct bytes *out, const struct wscan_module *scan,
                         const struct func_plan *plan) {
  put_u32(out, WPROF_ABI_VERSION);
  put_u32(out, scan->num_imported_funcs);
  put_u32(out, scan->num_funcs);
  for (uint32_t k = 0; k < scan->num_funcs; k++) {
    const struct wscan_func *f = &scan->funcs[k];
    uint32_t flags = (plan[k].probe_calls ? WPROF_ABI_FLAG_COUNTED : 0u) | (f->has_catch ? WPROF_ABI_FLAG_CATCH : 0u) |
                     (plan[k].count_only ? WPROF_ABI_FLAG_FRAMELESS : 0u) |
                     ((uint32_t)plan[k].alloc << WPROF_ABI_ALLOC_KIND_SHIFT);
    put_u32(out, k);
    put_u32(out, f->func_index);
    put_u32(out, f->code_offset);
    put_u32(out, flags);
    if (f->name) {
      put_string(out, f->name);
    } else {
      char fallback[32];
      snprintf(fallback, sizeof fallback, "func[%u]", f->func_index);
      put_string(out, fallback);
    }
  }
}

void sources_encode(struct bytes *out, const struct source_table *sources) {
  put_u32(out, sources->nfiles);
  for (uint32_t i = 0; i < sources->nfiles; i++) put_string(out, sources->files[i]);
  put_u32(out, source_table_known(sources));
  for (uint32_t k = 0; k < sources->nfuncs; k++) {
    if (sources->line[k] == 0) continue;
    put_u32(out, k);
    put_u32(out, sources->file[k]);
    put_u32(out, sources->line[k]);
  }
}


/* Decides what becomes of one custom section while a module is copied:
** append it (as is or changed) to out, or nothing to drop it. */
typedef void (*custom_filter)(struct bytes *out, const uint8_t *section, size_t size,
                              const uint8_t *name, uint32_t name_len, const uint8_t *payload,
                              size_t payload_len);

/* Copies module to out; its custom sections, as wasm-scan finds them, go
** through filter. -1 when wasm-scan refuses the module. Its code is not
** decoded again: wasm-instrument's input was scanned whole a moment before,
** and binaryen has validated its output. */
static int copy_module(struct bytes *out, const uint8_t *module, size_t len, custom_filter filter) {
  struct wscan_module m;
  char err[WSCAN_ERR_MAX];
  if (wscan_parse_sections(module, len, &m, err) != WSCAN_OK) return -1;
  size_t pos = 0;
  for (uint32_t i = 0; i < m.num_customs; i++) {
    const struct wscan_custom *c = &m.customs[i];
    size_t end = (size_t)c->offset + c->size;
    put(out, module + pos, c->offset - pos);
    filter(out, module + c->offset, c->size, (const uint8_t *)c->name, (uint32_t)strlen(c->name),
           module + c->payload_offset, end - c->payload_offset);
    pos = end;
  }
  put(out, module + pos, len - pos);
  wscan_free(&m);
  return 0;
}

static bool is_dwarf(const uint8_t *name, uint32_t name_len) {
  return name_len >= 7 && memcmp(name, ".debug_", 7) == 0;
}

static bool named(const uint8_t *name, uint32_t len, const char *want) {
  return len == strlen(want) && memcmp(name, want, len) == 0;
}

static void put_custom(struct bytes *out, const char *name, const uint8_t *payload, size_t len) {
  struct bytes section = {0};
  put_string(&section, name);
  put(&section, payload, len);
  uint8_t id = 0;
  put(out, &id, 1);
  put_u32(out, (uint32_t)section.len);
  put(out, section.data, section.len);
  bytes_free(&section);
}

struct local_name {
  uint32_t index, order;
  const uint8_t *name;
  uint32_t len;
};

static int by_index(const void *a, const void *b) {
  const struct local_name *x = a, *y = b;
  if (x->index != y->index) return x->index < y->index ? -1 : 1;
  return x->order < y->order ? -1 : x->order > y->order;
}

/* Rewrites a local-names subsection (indirect name map) with each function's
** names in index order. Returns false if it does not parse. */
static bool sort_local_names(struct bytes *out, const uint8_t *p, size_t len) {
  size_t pos = 0;
  uint32_t funcs;
  if (!wscan_read_u32(p, len, &pos, &funcs)) return false;
  put_u32(out, funcs);
  struct local_name *names = NULL;
  bool ok = true;
  for (uint32_t f = 0; ok && f < funcs; f++) {
    uint32_t func, count;
    ok = wscan_read_u32(p, len, &pos, &func) && wscan_read_u32(p, len, &pos, &count) && count <= len - pos;
    if (!ok) break;
    struct local_name *grown = wprof_xrealloc(names, count * sizeof *names);
    names = grown;
    for (uint32_t i = 0; ok && i < count; i++) {
      names[i].order = i;
      ok = wscan_read_u32(p, len, &pos, &names[i].index) && wscan_read_u32(p, len, &pos, &names[i].len) &&
           names[i].len <= len - pos;
      if (ok) names[i].name = p + pos, pos += names[i].len;
    }
    if (!ok) break;
    qsort(names, count, sizeof *names, by_index);
    uint32_t unique = 0;
    for (uint32_t i = 0; i < count; i++)
      if (i == 0 || names[i].index != names[i - 1].index) names[unique++] = names[i];
    put_u32(out, func);
    put_u32(out, unique);
    for (uint32_t i = 0; i < unique; i++) {
      put_u32(out, names[i].index);
      put_u32(out, names[i].len);
      put(out, names[i].name, names[i].len);
    }
  }
  free(names);
  return ok && pos == len;
}

/* Called for each subsection of a name section: appends to out what should
** stand in its place (nothing drops it). */
typedef void (*name_subsection_fn)(struct bytes *out, uint8_t id, const uint8_t *body, size_t size);

/* Appends the name section rebuilt subsection by subsection through fn, or
** nothing when its framing is broken: engines ignore such a section too. */
static void rebuild_name_section(struct bytes *out, const uint8_t *payload, size_t payload_len,
                                 name_subsection_fn fn) {
  struct bytes rebuilt = {0};
  size_t pos = 0;
  while (pos < payload_len) {
    uint8_t id = payload[pos++];
    uint32_t size;
    if (!wscan_read_u32(payload, payload_len, &pos, &size) || size > payload_len - pos) {
      bytes_free(&rebuilt);
      return;
    }
    fn(&rebuilt, id, payload + pos, size);
    pos += size;
  }
  put_custom(out, "name", rebuilt.data, rebuilt.len);
  bytes_free(&rebuilt);
}

static void put_subsection(struct bytes *out, uint8_t id, const uint8_t *body, size_t size) {
  put(out, &id, 1);
  put_u32(out, (uint32_t)size);
  put(out, body, size);
}

/* binaryen 108 writes local names in its own order after grouping locals by
** type, which wabt (and wasm2c) reject as "local index out of order": put
** them back in index order, or drop them if they cannot be read. */
static void sort_locals_subsection(struct bytes *out, uint8_t id, const uint8_t *body, size_t size) {
  if (id != 2) {
    put_subsection(out, id, body, size);
    return;
  }
  struct bytes sorted = {0};
  if (sort_local_names(&sorted, body, size)) put_subsection(out, id, sorted.data, sorted.len);
  bytes_free(&sorted);
}

static void finish_custom_section(struct bytes *out, const uint8_t *section, size_t size,
                                  const uint8_t *name, uint32_t name_len, const uint8_t *payload,
                                  size_t payload_len) {
  if (is_dwarf(name, name_len)) return;
  if (named(name, name_len, "name"))
    rebuild_name_section(out, payload, payload_len, sort_locals_subsection);
  else
    put(out, section, size);
}

int finish_module(struct bytes *out, const uint8_t *module, size_t len, const struct custom_section *append,
                  size_t n) {
  if (copy_module(out, module, len, finish_custom_section) != 0) return -1;
  for (size_t i = 0; i < n; i++) put_custom(out, append[i].name, append[i].payload->data, append[i].payload->len);
  return 0;
}

/* binaryen 108 reads name subsections 0-9 by the extended-name-section
** numbering, but wabt 1.0.32 writes tag names as subsection 10 (binaryen's
** "field names") and binaryen dies on them. Keep only the subsections both
** agree on (labels, 3, binaryen does not keep anyway). */
static void keep_shared_subsection(struct bytes *out, uint8_t id, const uint8_t *body, size_t size) {
  if (id <= 9 && id != 3) put_subsection(out, id, body, size);
}

/* What binaryen reads: no DWARF (the output drops it anyway, and binaryen 108
** crashes or allocates without bound on DWARF it cannot parse; found by
** fuzzing), and only the name subsections it reads right. */
static void keep_what_binaryen_reads(struct bytes *out, const uint8_t *section, size_t size,
                                     const uint8_t *name, uint32_t name_len, const uint8_t *payload,
                                     size_t payload_len) {
  if (is_dwarf(name, name_len)) return;
  if (named(name, name_len, "name"))
    rebuild_name_section(out, payload, payload_len, keep_shared_subsection);
  else
    put(out, section, size);
}

int prepare_for_binaryen(struct bytes *out, const uint8_t *module, size_t len) {
  return copy_module(out, module, len, keep_what_binaryen_reads);
}
