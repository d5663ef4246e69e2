/*
** wasm-scan.c: the strict, bounded reader declared in wasm-scan.h.
**
** One forward pass over the bytes: every section is decoded, every
** instruction of every body is stepped over with its immediates (unless
** wscan_parse_sections asked only for the sections), and the first problem
** stops the scan with a one-line reason naming its offset.
** Every read is checked against the end of the enclosing section or body,
** and every count is checked against the bytes left before anything is
** allocated, so memory use stays proportional to the input size.
*/
#include "wasm-scan.h"

#include "wprof-abi.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { SEC_CUSTOM = 0, SEC_TYPE, SEC_IMPORT, SEC_FUNCTION, SEC_TABLE, SEC_MEMORY, SEC_GLOBAL, SEC_EXPORT,
       SEC_START, SEC_ELEMENT, SEC_CODE, SEC_DATA, SEC_DATA_COUNT, SEC_TAG, SEC_LAST = SEC_TAG };

/* Position of each known section id in the order the spec requires. */
static const uint8_t section_rank[SEC_LAST + 1] = {
    [SEC_TYPE] = 1,     [SEC_IMPORT] = 2, [SEC_FUNCTION] = 3, [SEC_TABLE] = 4,       [SEC_MEMORY] = 5,
    [SEC_TAG] = 6,      [SEC_GLOBAL] = 7, [SEC_EXPORT] = 8,   [SEC_START] = 9,       [SEC_ELEMENT] = 10,
    [SEC_DATA_COUNT] = 11, [SEC_CODE] = 12, [SEC_DATA] = 13,
};

struct scanner {
  const uint8_t *bytes;
  size_t pos;           /* next byte to read (a file offset) */
  size_t end;           /* end of the enclosing section, body or subsection */
  const char *where;    /* what is being read, for "unexpected end" messages */
  enum wscan_status status;
  char *err;
  struct wscan_module *m;
  uint8_t *global_mutable;   /* per global (imported, then defined) */
  uint32_t num_globals;
  uint32_t num_declared_funcs; /* from the function section, checked against code */
  uint32_t num_code_bodies;
  bool has_data_count, has_data_section, uses_data_index;
  uint32_t data_count;
  size_t name_start, name_end; /* contents of the first "name" section, after its name */
  bool name_seen;
  size_t customs_cap;
  bool skip_bodies;     /* wscan_parse_sections: bodies delimited, not decoded */
};

static bool fail(struct scanner *s, enum wscan_status status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static bool fail(struct scanner *s, enum wscan_status status, const char *fmt, ...) {
  if (s->status == WSCAN_OK) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(s->err, WSCAN_ERR_MAX, fmt, ap);
    va_end(ap);
    s->status = status;
  }
  return false;
}

static bool truncated(struct scanner *s) {
  return fail(s, WSCAN_MALFORMED, "unexpected end of %s at offset %zu", s->where, s->pos);
}

static bool need(struct scanner *s, size_t n) { return s->end - s->pos >= n ? true : truncated(s); }

static bool read_byte(struct scanner *s, uint8_t *out) {
  if (!need(s, 1))
    return false;
  *out = s->bytes[s->pos++];
  return true;
}

static bool skip(struct scanner *s, size_t n) {
  if (!need(s, n))
    return false;
  s->pos += n;
  return true;
}

/* LEB128 of at most `bits` bits, rejecting encodings longer than
** ceil(bits/7) bytes and unused bits in the last byte that are not a
** zero (unsigned) or sign (signed) extension, as the spec requires. */
static bool read_leb(struct scanner *s, unsigned bits, bool is_signed, uint64_t *out) {
  const size_t start = s->pos;
  const unsigned max_bytes = (bits + 6) / 7;
  const unsigned last_bits = bits - 7 * (max_bytes - 1); /* value bits in the last byte */
  uint64_t value = 0;
  unsigned shift = 0;
  for (unsigned i = 0;; i++) {
    uint8_t b;
    if (!read_byte(s, &b))
      return false;
    value |= (uint64_t)(b & 0x7f) << shift;
    shift += 7;
    if (i == max_bytes - 1) {
      if (b & 0x80)
        return fail(s, WSCAN_MALFORMED, "integer representation too long at offset %zu", start);
      uint8_t unused = is_signed ? (uint8_t)((0x7f << (last_bits - 1)) & 0x7f) : (uint8_t)((0x7f << last_bits) & 0x7f);
      uint8_t got = b & unused;
      if (is_signed ? (got != 0 && got != unused) : got != 0)
        return fail(s, WSCAN_MALFORMED, "integer too large at offset %zu", start);
    }
    if (!(b & 0x80)) {
      if (is_signed && shift < 64 && (b & 0x40))
        value |= ~(uint64_t)0 << shift;
      *out = value;
      return true;
    }
  }
}

static bool read_u32(struct scanner *s, uint32_t *out) {
  uint64_t v;
  if (!read_leb(s, 32, false, &v))
    return false;
  *out = (uint32_t)v;
  return true;
}

static bool skip_leb(struct scanner *s, unsigned bits, bool is_signed) {
  uint64_t ignored;
  return read_leb(s, bits, is_signed, &ignored);
}

/* A vector length; every element takes at least one byte, so a count larger
** than the bytes left is malformed and can never drive a huge allocation. */
static bool read_count(struct scanner *s, uint32_t *out) {
  size_t at = s->pos;
  if (!read_u32(s, out))
    return false;
  if (*out > s->end - s->pos)
    return fail(s, WSCAN_MALFORMED, "count %u at offset %zu exceeds the %zu bytes left in the %s", *out, at,
                s->end - s->pos, s->where);
  return true;
}

static void *alloc_array(struct scanner *s, size_t count, size_t size) {
  void *p = calloc(count ? count : 1, size);
  if (!p)
    fail(s, WSCAN_MALFORMED, "out of memory reading the %s", s->where);
  return p;
}

static bool utf8_valid(const uint8_t *p, size_t n) {
  size_t i = 0;
  while (i < n) {
    uint8_t c = p[i];
    size_t len;
    uint32_t cp, min;
    if (c < 0x80) {
      i++;
      continue;
    } else if ((c & 0xe0) == 0xc0) {
      len = 2, cp = c & 0x1f, min = 0x80;
    } else if ((c & 0xf0) == 0xe0) {
      len = 3, cp = c & 0x0f, min = 0x800;
    } else if ((c & 0xf8) == 0xf0) {
      len = 4, cp = c & 0x07, min = 0x10000;
    } else {
      return false;
    }
    if (n - i < len)
      return false;
    for (size_t k = 1; k < len; k++) {
      if ((p[i + k] & 0xc0) != 0x80)
        return false;
      cp = (cp << 6) | (p[i + k] & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
      return false;
    i += len;
  }
  return true;
}

/* A name: length-prefixed UTF-8. Leaves its bytes in *start / *len. */
static bool read_name_ref(struct scanner *s, size_t *start, uint32_t *len) {
  size_t at = s->pos;
  if (!read_u32(s, len) || !need(s, *len))
    return false;
  *start = s->pos;
  s->pos += *len;
  if (!utf8_valid(s->bytes + *start, *len))
    return fail(s, WSCAN_MALFORMED, "malformed UTF-8 encoding in name at offset %zu", at);
  return true;
}

static char *copy_string(struct scanner *s, size_t start, uint32_t len) {
  char *p = alloc_array(s, (size_t)len + 1, 1);
  if (p)
    memcpy(p, s->bytes + start, len);
  return p;
}

static bool read_name(struct scanner *s, char **out) {
  size_t start;
  uint32_t len;
  if (!read_name_ref(s, &start, &len))
    return false;
  *out = copy_string(s, start, len);
  return *out != NULL;
}

static bool name_equals(struct scanner *s, size_t start, uint32_t len, const char *lit) {
  return len == strlen(lit) && memcmp(s->bytes + start, lit, len) == 0;
}

/* ---- types ---- */

/* An unknown type code that is a one-byte negative s7 (0x40..0x7f) may
** belong to a proposal we do not know: unsupported. Anything else cannot
** be a type code in any proposal: malformed. */
static bool refuse_type_code(struct scanner *s, const char *what, uint8_t code, size_t at) {
  bool maybe_proposal = (code & 0xc0) == 0x40;
  return fail(s, maybe_proposal ? WSCAN_UNSUPPORTED : WSCAN_MALFORMED, "%s %s 0x%02x at offset %zu",
              maybe_proposal ? "unknown" : "malformed", what, code, at);
}

/* Classifies a one-byte value type or abstract heap type code. */
static bool check_type_code(struct scanner *s, uint8_t code, size_t at, bool heap_type) {
  switch (code) {
  case 0x7f: case 0x7e: case 0x7d: case 0x7c:
    if (heap_type)
      break;
    return true;
  case 0x7b:
    if (heap_type)
      break;
    s->m->features |= WSCAN_FEAT_SIMD;
    return true;
  case 0x70: case 0x6f:
    s->m->features |= WSCAN_FEAT_REFERENCE_TYPES;
    return true;
  case 0x69: case 0x74:
    return fail(s, WSCAN_UNSUPPORTED, "exnref type 0x%02x at offset %zu (exception handling with exnref is not supported)",
                code, at);
  case 0x63: case 0x64:
    if (heap_type)
      break;
    return fail(s, WSCAN_UNSUPPORTED, "typed reference type 0x%02x at offset %zu (GC / function references are not supported)",
                code, at);
  case 0x6a: case 0x6b: case 0x6c: case 0x6d: case 0x6e: case 0x71: case 0x72: case 0x73:
    return fail(s, WSCAN_UNSUPPORTED, "GC reference type 0x%02x at offset %zu (GC is not supported)", code, at);
  default:
    break;
  }
  return refuse_type_code(s, heap_type ? "heap type" : "value type", code, at);
}

static bool read_valtype(struct scanner *s, uint8_t *out) {
  size_t at = s->pos;
  return read_byte(s, out) && check_type_code(s, *out, at, false);
}

/* The type of a table or element segment: funcref is MVP there. */
static bool read_reftype(struct scanner *s) {
  size_t at = s->pos;
  uint8_t code;
  if (!read_byte(s, &code))
    return false;
  if (code == 0x70)
    return true;
  if (!check_type_code(s, code, at, false))
    return false;
  if (code != 0x6f)
    return fail(s, WSCAN_MALFORMED, "malformed reference type 0x%02x at offset %zu", code, at);
  return true;
}

/* The heap type of ref.null: an abstract type byte, or (function references,
** refused) a non-negative s33 type index. */
static bool read_heaptype(struct scanner *s) {
  size_t at = s->pos;
  uint8_t first;
  if (!need(s, 1))
    return false;
  first = s->bytes[s->pos];
  if ((first & 0xc0) == 0x40) /* a negative one-byte s33: an abstract heap type */
    return read_byte(s, &first) && check_type_code(s, first, at, true);
  if (!skip_leb(s, 33, true))
    return false;
  return fail(s, WSCAN_UNSUPPORTED, "ref.null of a type index at offset %zu (function references are not supported)", at);
}

static bool read_type_index(struct scanner *s, uint32_t *out) {
  size_t at = s->pos;
  if (!read_u32(s, out))
    return false;
  if (*out >= s->m->num_types)
    return fail(s, WSCAN_MALFORMED, "type index %u out of range at offset %zu", *out, at);
  return true;
}

static uint32_t num_all_funcs(const struct scanner *s) { return s->m->num_imported_funcs + s->num_declared_funcs; }

static bool read_func_index(struct scanner *s) {
  size_t at = s->pos;
  uint32_t index;
  if (!read_u32(s, &index))
    return false;
  if (index >= num_all_funcs(s))
    return fail(s, WSCAN_MALFORMED, "function index %u out of range at offset %zu", index, at);
  return true;
}

static bool read_value_types(struct scanner *s, uint32_t *count, uint8_t **types) {
  if (!read_count(s, count) || !(*types = alloc_array(s, *count, 1)))
    return false;
  for (uint32_t i = 0; i < *count; i++)
    if (!read_valtype(s, &(*types)[i]))
      return false;
  return true;
}

static bool parse_type_section(struct scanner *s) {
  uint32_t count;
  if (!read_count(s, &count) || !(s->m->types = alloc_array(s, count, sizeof *s->m->types)))
    return false;
  for (uint32_t i = 0; i < count; i++) {
    size_t at = s->pos;
    uint8_t form;
    if (!read_byte(s, &form))
      return false;
    if (form == 0x4e || form == 0x4f || form == 0x50 || form == 0x5d || form == 0x5e || form == 0x5f)
      return fail(s, WSCAN_UNSUPPORTED, "GC type form 0x%02x at offset %zu (GC is not supported)", form, at);
    if (form != 0x60)
      return refuse_type_code(s, "type form", form, at);
    struct wscan_type *t = &s->m->types[i];
    s->m->num_types = i + 1;
    if (!read_value_types(s, &t->num_params, &t->params) || !read_value_types(s, &t->num_results, &t->results))
      return false;
    if (t->num_results > 1)
      s->m->features |= WSCAN_FEAT_MULTI_VALUE;
  }
  return true;
}

/* ---- imports and the index spaces they open ---- */

static bool read_limits(struct scanner *s, bool memory, bool *has_max) {
  size_t at = s->pos;
  uint8_t flags;
  if (!read_byte(s, &flags))
    return false;
  if (flags > 0x07)
    return fail(s, WSCAN_MALFORMED, "malformed limits flags 0x%02x at offset %zu", flags, at);
  if (flags & 0x04)
    return fail(s, WSCAN_UNSUPPORTED, "%s at offset %zu (memory64 / table64 is not supported)",
                memory ? "64-bit memory" : "64-bit table", at);
  if (flags == 0x02 || (!memory && flags == 0x03)) /* shared needs a maximum; tables are never shared */
    return fail(s, WSCAN_MALFORMED, "malformed limits flags 0x%02x at offset %zu", flags, at);
  if (flags & 0x02)
    s->m->features |= WSCAN_FEAT_THREADS;
  *has_max = flags & 0x01;
  return skip_leb(s, 32, false) && (!*has_max || skip_leb(s, 32, false));
}

static bool add_memory(struct scanner *s, size_t at, bool *has_max) {
  if (s->m->num_memories >= 1)
    return fail(s, WSCAN_UNSUPPORTED, "second memory at offset %zu (multi-memory is not supported)", at);
  s->m->num_memories++;
  return read_limits(s, true, has_max);
}

static bool add_table(struct scanner *s, bool *has_max) {
  if (++s->m->num_tables > 1)
    s->m->features |= WSCAN_FEAT_REFERENCE_TYPES;
  return read_reftype(s) && read_limits(s, false, has_max);
}

static bool add_global(struct scanner *s, bool imported) {
  size_t at;
  uint8_t type, mut;
  if (!read_valtype(s, &type))
    return false;
  at = s->pos;
  if (!read_byte(s, &mut))
    return false;
  if (mut > 1)
    return fail(s, WSCAN_MALFORMED, "malformed mutability 0x%02x at offset %zu", mut, at);
  if (mut && imported)
    s->m->features |= WSCAN_FEAT_MUTABLE_GLOBALS;
  s->global_mutable[s->num_globals++] = mut;
  return true;
}

static bool read_tag_type(struct scanner *s, uint32_t *type) {
  size_t at = s->pos;
  uint8_t attribute;
  if (!read_byte(s, &attribute))
    return false;
  if (attribute != 0)
    return fail(s, WSCAN_MALFORMED, "malformed tag attribute 0x%02x at offset %zu", attribute, at);
  s->m->features |= WSCAN_FEAT_EXCEPTIONS;
  return read_type_index(s, type);
}

/* Globals are counted across two sections; the array is sized for both. */
static bool grow_globals(struct scanner *s, uint32_t more) {
  uint8_t *p = realloc(s->global_mutable, (size_t)s->num_globals + more + 1);
  if (!p)
    return fail(s, WSCAN_MALFORMED, "out of memory reading the %s", s->where);
  s->global_mutable = p;
  return true;
}

static bool parse_import_section(struct scanner *s) {
  uint32_t count;
  if (!read_count(s, &count) || !(s->m->imports = alloc_array(s, count, sizeof *s->m->imports)) ||
      !grow_globals(s, count))
    return false;
  for (uint32_t i = 0; i < count; i++) {
    struct wscan_import *imp = &s->m->imports[i];
    size_t module_start, kind_at;
    uint32_t module_len;
    uint8_t kind;
    s->m->num_imports = i + 1;
    if (!read_name_ref(s, &module_start, &module_len) || !(imp->module = copy_string(s, module_start, module_len)) ||
        !read_name(s, &imp->name))
      return false;
    if (name_equals(s, module_start, module_len, WPROF_ABI_IMPORT_MODULE))
      s->m->imports_wprof = true;
    kind_at = s->pos;
    if (!read_byte(s, &kind))
      return false;
    if (kind > WSCAN_TAG)
      return fail(s, WSCAN_MALFORMED, "malformed import kind 0x%02x at offset %zu", kind, kind_at);
    imp->kind = (enum wscan_extern_kind)kind;
    bool ok = false;
    switch (kind) {
    case WSCAN_FUNC:
      ok = read_type_index(s, &imp->type_index);
      s->m->num_imported_funcs++;
      break;
    case WSCAN_TABLE: ok = add_table(s, &imp->has_max); break;
    case WSCAN_MEMORY: ok = add_memory(s, kind_at, &imp->has_max); break;
    case WSCAN_GLOBAL: ok = add_global(s, true); break;
    case WSCAN_TAG: ok = read_tag_type(s, &imp->type_index); break;
    }
    if (!ok)
      return false;
  }
  return true;
}

static bool parse_function_section(struct scanner *s) {
  uint32_t count;
  if (!read_count(s, &count) || !(s->m->funcs = alloc_array(s, count, sizeof *s->m->funcs)))
    return false;
  for (uint32_t i = 0; i < count; i++) {
    struct wscan_func *f = &s->m->funcs[i];
    if (!read_type_index(s, &f->type_index))
      return false;
    f->func_index = s->m->num_imported_funcs + i;
    s->num_declared_funcs = i + 1;
  }
  return true;
}

static bool parse_table_section(struct scanner *s) {
  uint32_t count;
  bool has_max;
  if (!read_count(s, &count))
    return false;
  for (uint32_t i = 0; i < count; i++)
    if (!add_table(s, &has_max))
      return false;
  return true;
}

static bool parse_memory_section(struct scanner *s) {
  uint32_t count;
  bool has_max;
  if (!read_count(s, &count))
    return false;
  for (uint32_t i = 0; i < count; i++)
    if (!add_memory(s, s->pos, &has_max))
      return false;
  return true;
}

static bool parse_tag_section(struct scanner *s) {
  uint32_t count, type;
  if (!read_count(s, &count))
    return false;
  for (uint32_t i = 0; i < count; i++)
    if (!read_tag_type(s, &type))
      return false;
  return true;
}

/* ---- constant expressions ---- */

static bool read_const_expr(struct scanner *s) {
  for (;;) {
    size_t at = s->pos;
    uint8_t op;
    uint32_t sub;
    if (!read_byte(s, &op))
      return false;
    switch (op) {
    case 0x0b: return true;
    case 0x41: if (!skip_leb(s, 32, true)) return false; break;
    case 0x42: if (!skip_leb(s, 64, true)) return false; break;
    case 0x43: if (!skip(s, 4)) return false; break;
    case 0x44: if (!skip(s, 8)) return false; break;
    case 0x23: if (!skip_leb(s, 32, false)) return false; break;
    case 0xd0: if (!read_heaptype(s)) return false; break;
    case 0xd2: if (!read_func_index(s)) return false; break;
    case 0x6a: case 0x6b: case 0x6c: case 0x7c: case 0x7d: case 0x7e:
      s->m->features |= WSCAN_FEAT_EXTENDED_CONST;
      break;
    case 0xfd:
      if (!read_u32(s, &sub))
        return false;
      if (sub != 12)
        return fail(s, WSCAN_MALFORMED, "illegal opcode 0xfd %u in constant expression at offset %zu", sub, at);
      s->m->features |= WSCAN_FEAT_SIMD;
      if (!skip(s, 16))
        return false;
      break;
    case 0xfb:
      return fail(s, WSCAN_UNSUPPORTED, "GC instruction 0xfb at offset %zu (GC is not supported)", at);
    default:
      return fail(s, WSCAN_MALFORMED, "illegal opcode 0x%02x in constant expression at offset %zu", op, at);
    }
  }
}

static bool parse_global_section(struct scanner *s) {
  uint32_t count;
  if (!read_count(s, &count) || !grow_globals(s, count))
    return false;
  for (uint32_t i = 0; i < count; i++)
    if (!add_global(s, false) || !read_const_expr(s))
      return false;
  return true;
}

static bool parse_export_section(struct scanner *s) {
  uint32_t count;
  if (!read_count(s, &count) || !(s->m->exports = alloc_array(s, count, sizeof *s->m->exports)))
    return false;
  for (uint32_t i = 0; i < count; i++) {
    struct wscan_export *e = &s->m->exports[i];
    size_t kind_at;
    uint8_t kind;
    s->m->num_exports = i + 1;
    if (!read_name(s, &e->name))
      return false;
    kind_at = s->pos;
    if (!read_byte(s, &kind) || !read_u32(s, &e->index))
      return false;
    if (kind > WSCAN_TAG)
      return fail(s, WSCAN_MALFORMED, "malformed export kind 0x%02x at offset %zu", kind, kind_at);
    e->kind = (enum wscan_extern_kind)kind;
    if (kind == WSCAN_FUNC && e->index >= num_all_funcs(s))
      return fail(s, WSCAN_MALFORMED, "export of unknown function %u at offset %zu", e->index, kind_at);
    if (kind == WSCAN_GLOBAL && e->index < s->num_globals && s->global_mutable[e->index])
      s->m->features |= WSCAN_FEAT_MUTABLE_GLOBALS;
  }
  return true;
}

static bool parse_start_section(struct scanner *s) {
  s->m->has_start = true;
  return read_func_index(s);
}

static bool parse_element_section(struct scanner *s) {
  uint32_t count;
  if (!read_count(s, &count))
    return false;
  for (uint32_t i = 0; i < count; i++) {
    size_t at = s->pos;
    uint32_t flags, n;
    uint8_t elem_kind;
    if (!read_u32(s, &flags))
      return false;
    if (flags > 7)
      return fail(s, WSCAN_MALFORMED, "malformed element segment flags %u at offset %zu", flags, at);
    if (flags != 0)
      s->m->features |= WSCAN_FEAT_BULK_MEMORY;
    if ((flags & 3) == 3)
      s->m->features |= WSCAN_FEAT_REFERENCE_TYPES; /* declarative */
    if ((flags & 3) == 2 && !skip_leb(s, 32, false)) /* explicit table index */
      return false;
    if (!(flags & 1) && !read_const_expr(s)) /* active: offset */
      return false;
    if (flags & 3) { /* element kind (0x00 = funcref) or reference type */
      if (flags & 4) {
        if (!read_reftype(s))
          return false;
      } else {
        at = s->pos;
        if (!read_byte(s, &elem_kind))
          return false;
        if (elem_kind != 0)
          return fail(s, WSCAN_MALFORMED, "malformed element kind 0x%02x at offset %zu", elem_kind, at);
      }
    }
    if (!read_count(s, &n))
      return false;
    for (uint32_t k = 0; k < n; k++)
      if (!((flags & 4) ? read_const_expr(s) : read_func_index(s)))
        return false;
  }
  return true;
}

static bool parse_data_count_section(struct scanner *s) {
  s->has_data_count = true;
  return read_u32(s, &s->data_count);
}

/* The memory operand of memory.size/grow/init/copy/fill: a zero byte
** (a module with a second memory is refused before its code is read). */
static bool read_memory_byte(struct scanner *s) {
  size_t at = s->pos;
  uint8_t index;
  if (!read_byte(s, &index))
    return false;
  if (index != 0)
    return fail(s, WSCAN_MALFORMED, "zero byte expected for the memory index at offset %zu", at);
  return true;
}

static bool parse_data_section(struct scanner *s) {
  size_t at = s->pos;
  uint32_t count;
  s->has_data_section = true;
  if (!read_count(s, &count))
    return false;
  if (s->has_data_count && count != s->data_count)
    return fail(s, WSCAN_MALFORMED, "data count %u and data section count %u at offset %zu differ", s->data_count,
                count, at);
  for (uint32_t i = 0; i < count; i++) {
    uint32_t flags, len;
    at = s->pos;
    if (!read_u32(s, &flags))
      return false;
    if (flags > 2)
      return fail(s, WSCAN_MALFORMED, "malformed data segment flags %u at offset %zu", flags, at);
    if (flags == 1)
      s->m->features |= WSCAN_FEAT_BULK_MEMORY;
    if (flags == 2) {
      uint32_t memory;
      size_t memory_at = s->pos;
      if (!read_u32(s, &memory))
        return false;
      if (memory >= s->m->num_memories)
        return fail(s, WSCAN_MALFORMED, "data segment for unknown memory %u at offset %zu", memory, memory_at);
    }
    if (flags != 1 && !read_const_expr(s))
      return false;
    if (!read_u32(s, &len) || !skip(s, len))
      return false;
  }
  return true;
}

/* ---- function bodies ---- */

/* block/loop/if/try: refuses type-index block types with parameters. */
static bool read_block_type(struct scanner *s, size_t op_at) {
  size_t at = s->pos;
  uint8_t first;
  uint64_t index;
  if (!need(s, 1))
    return false;
  first = s->bytes[s->pos];
  if (first == 0x40) {
    s->pos++;
    return true;
  }
  if ((first & 0xc0) == 0x40) { /* a negative one-byte s33: a value type */
    s->pos++;
    return check_type_code(s, first, at, false);
  }
  if (!read_leb(s, 33, true, &index))
    return false;
  if (index >> 32) /* a negative multi-byte s33 */
    return fail(s, WSCAN_MALFORMED, "malformed block type at offset %zu", at);
  if (index >= s->m->num_types)
    return fail(s, WSCAN_MALFORMED, "block type index %u out of range at offset %zu", (uint32_t)index, at);
  s->m->features |= WSCAN_FEAT_MULTI_VALUE;
  if (s->m->types[index].num_params > 0 && !s->m->block_params_at)
    s->m->block_params_at = (uint32_t)op_at;
  return true;
}

static bool read_memarg(struct scanner *s) {
  size_t at = s->pos;
  uint32_t align;
  if (!read_u32(s, &align))
    return false;
  if (align & 0x40)
    return fail(s, WSCAN_UNSUPPORTED, "memory access with a memory index at offset %zu (multi-memory is not supported)",
                at);
  return skip_leb(s, 32, false);
}

enum simd_immediate { SIMD_UNKNOWN, SIMD_NONE, SIMD_MEMARG, SIMD_MEMARG_LANE, SIMD_LANE, SIMD_BYTES16 };

/* The immediates of 0xfd opcodes 0..0xff of the final SIMD proposal. */
static enum simd_immediate simd_immediate(uint32_t op) {
  static const uint8_t unassigned[] = {0x9a, 0xa2, 0xa5, 0xa6, 0xaf, 0xb0, 0xb2, 0xb3, 0xb4, 0xbb,
                                       0xc2, 0xc5, 0xc6, 0xcf, 0xd0, 0xd2, 0xd3, 0xd4, 0xe2, 0xee};
  if (op <= 0x0b || op == 0x5c || op == 0x5d)
    return SIMD_MEMARG;
  if (op == 0x0c || op == 0x0d)
    return SIMD_BYTES16;
  if (op >= 0x15 && op <= 0x22)
    return SIMD_LANE;
  if (op >= 0x54 && op <= 0x5b)
    return SIMD_MEMARG_LANE;
  if (op > 0xff)
    return SIMD_UNKNOWN;
  for (size_t i = 0; i < sizeof unassigned; i++)
    if (op == unassigned[i])
      return SIMD_UNKNOWN;
  return SIMD_NONE;
}

static bool read_simd(struct scanner *s, size_t op_at) {
  uint32_t op;
  if (!read_u32(s, &op))
    return false;
  s->m->features |= WSCAN_FEAT_SIMD;
  if (op >= 0x100 && op <= 0x113)
    return fail(s, WSCAN_UNSUPPORTED, "relaxed SIMD instruction 0xfd %u at offset %zu (relaxed SIMD is not supported)",
                op, op_at);
  switch (simd_immediate(op)) {
  case SIMD_NONE: return true;
  case SIMD_MEMARG: return read_memarg(s);
  case SIMD_MEMARG_LANE: return read_memarg(s) && skip(s, 1);
  case SIMD_LANE: return skip(s, 1);
  case SIMD_BYTES16: return skip(s, 16);
  case SIMD_UNKNOWN: break;
  }
  return fail(s, WSCAN_UNSUPPORTED, "unknown instruction 0xfd %u at offset %zu", op, op_at);
}

static bool read_misc(struct scanner *s, size_t op_at) {
  uint32_t op;
  if (!read_u32(s, &op))
    return false;
  if (op <= 7) {
    s->m->features |= WSCAN_FEAT_SAT_FLOAT_TO_INT;
    return true;
  }
  if (op > 17)
    return fail(s, WSCAN_UNSUPPORTED, "unknown instruction 0xfc %u at offset %zu", op, op_at);
  s->m->features |= op >= 15 ? WSCAN_FEAT_REFERENCE_TYPES : WSCAN_FEAT_BULK_MEMORY;
  switch (op) {
  case 8: /* memory.init data memory */
    s->uses_data_index = true;
    return skip_leb(s, 32, false) && read_memory_byte(s);
  case 9: /* data.drop data */
    s->uses_data_index = true;
    return skip_leb(s, 32, false);
  case 10: return read_memory_byte(s) && read_memory_byte(s); /* memory.copy */
  case 11: return read_memory_byte(s);                           /* memory.fill */
  case 12: case 14: return skip_leb(s, 32, false) && skip_leb(s, 32, false); /* table.init, table.copy */
  default: return skip_leb(s, 32, false); /* elem.drop, table.grow/size/fill */
  }
}

static bool read_atomic(struct scanner *s, size_t op_at) {
  uint32_t op;
  uint8_t zero;
  if (!read_u32(s, &op))
    return false;
  s->m->features |= WSCAN_FEAT_THREADS;
  if (op == 0x03) { /* atomic.fence */
    size_t at = s->pos;
    if (!read_byte(s, &zero))
      return false;
    if (zero != 0)
      return fail(s, WSCAN_MALFORMED, "atomic.fence without its zero byte at offset %zu", at);
    return true;
  }
  if (op <= 0x02 || (op >= 0x10 && op <= 0x4e))
    return read_memarg(s);
  return fail(s, WSCAN_UNSUPPORTED, "unknown instruction 0xfe %u at offset %zu", op, op_at);
}

static bool refuse_gc_op(struct scanner *s, const char *what, size_t at) {
  return fail(s, WSCAN_UNSUPPORTED, "%s at offset %zu (GC / function references are not supported)", what, at);
}

/* Steps over one instruction. *depth counts open blocks; it goes negative
** (returns with *function_end set) at the body's final end. */
static bool read_instruction(struct scanner *s, struct wscan_func *f, uint32_t *depth, bool *function_end) {
  size_t at = s->pos;
  uint8_t op;
  uint32_t n;
  if (!read_byte(s, &op))
    return false;
  f->instructions++;
  /* loop, try, throw, rethrow, call, call_indirect, return_call, return_call_indirect, delegate */
  if (op == 0x03 || op == 0x06 || op == 0x08 || op == 0x09 || (op >= 0x10 && op <= 0x13) || op == 0x18)
    f->straight_line = false;
  if (op >= 0xc0 && op <= 0xc4) { /* sign extension */
    s->m->features |= WSCAN_FEAT_SIGN_EXT;
    return true;
  }
  /* numeric, unreachable, nop, else, return, drop, select: no immediates */
  if ((op >= 0x45 && op <= 0xbf) || op <= 0x01 || op == 0x05 || op == 0x0f || op == 0x1a || op == 0x1b)
    return true;
  if (op >= 0x28 && op <= 0x3e)
    return read_memarg(s);
  switch (op) {
  case 0x06: /* try */
    s->m->features |= WSCAN_FEAT_EXCEPTIONS;
    /* fall through */
  case 0x02: case 0x03: case 0x04: /* block, loop, if */
    ++*depth;
    return read_block_type(s, at);
  case 0x07: /* catch tag */
    f->has_catch = true;
    s->m->features |= WSCAN_FEAT_EXCEPTIONS;
    return skip_leb(s, 32, false);
  case 0x19: /* catch_all */
    f->has_catch = true;
    s->m->features |= WSCAN_FEAT_EXCEPTIONS;
    return true;
  case 0x08: case 0x09: /* throw tag, rethrow depth */
    s->m->features |= WSCAN_FEAT_EXCEPTIONS;
    return skip_leb(s, 32, false);
  case 0x18: /* delegate depth: ends a try */
    s->m->features |= WSCAN_FEAT_EXCEPTIONS;
    if (*depth == 0)
      return fail(s, WSCAN_MALFORMED, "delegate outside a try at offset %zu", at);
    --*depth;
    return skip_leb(s, 32, false);
  case 0x0b: /* end */
    if (*depth == 0)
      *function_end = true;
    else
      --*depth;
    return true;
  case 0x0c: case 0x0d: /* br, br_if */
  case 0x20: case 0x21: case 0x22: case 0x23: case 0x24: /* local.*, global.* */
    return skip_leb(s, 32, false);
  case 0x0e: /* br_table */
    if (!read_count(s, &n))
      return false;
    for (uint32_t i = 0; i <= n; i++)
      if (!skip_leb(s, 32, false))
        return false;
    return true;
  case 0x12: /* return_call */
    f->has_tail_call = true;
    s->m->features |= WSCAN_FEAT_TAIL_CALL;
    /* fall through */
  case 0x10: /* call */
    return read_func_index(s);
  case 0x13: /* return_call_indirect */
    f->has_tail_call = true;
    s->m->features |= WSCAN_FEAT_TAIL_CALL;
    /* fall through */
  case 0x11: /* call_indirect type table */
    if (!read_type_index(s, &n) || !read_u32(s, &n))
      return false;
    if (n != 0)
      s->m->features |= WSCAN_FEAT_REFERENCE_TYPES;
    return true;
  case 0x1c: { /* select t* */
    uint8_t type;
    s->m->features |= WSCAN_FEAT_REFERENCE_TYPES;
    if (!read_count(s, &n))
      return false;
    for (uint32_t i = 0; i < n; i++)
      if (!read_valtype(s, &type))
        return false;
    return true;
  }
  case 0x25: case 0x26: /* table.get, table.set */
    s->m->features |= WSCAN_FEAT_REFERENCE_TYPES;
    return skip_leb(s, 32, false);
  case 0x3f: case 0x40: /* memory.size, memory.grow */
    return read_memory_byte(s);
  case 0x41: return skip_leb(s, 32, true);
  case 0x42: return skip_leb(s, 64, true);
  case 0x43: return skip(s, 4);
  case 0x44: return skip(s, 8);
  case 0xd0: /* ref.null */
    s->m->features |= WSCAN_FEAT_REFERENCE_TYPES;
    return read_heaptype(s);
  case 0xd1: /* ref.is_null */
    s->m->features |= WSCAN_FEAT_REFERENCE_TYPES;
    return true;
  case 0xd2: /* ref.func */
    s->m->features |= WSCAN_FEAT_REFERENCE_TYPES;
    return read_func_index(s);
  case 0xfc: return read_misc(s, at);
  case 0xfd: return read_simd(s, at);
  case 0xfe: return read_atomic(s, at);
  case 0x0a: return fail(s, WSCAN_UNSUPPORTED, "throw_ref at offset %zu (exnref exceptions are not supported)", at);
  case 0x1f: return fail(s, WSCAN_UNSUPPORTED, "try_table at offset %zu (exnref exceptions are not supported)", at);
  case 0x14: return refuse_gc_op(s, "call_ref", at);
  case 0x15: return refuse_gc_op(s, "return_call_ref", at);
  case 0xd3: return refuse_gc_op(s, "ref.eq", at);
  case 0xd4: return refuse_gc_op(s, "ref.as_non_null", at);
  case 0xd5: return refuse_gc_op(s, "br_on_null", at);
  case 0xd6: return refuse_gc_op(s, "br_on_non_null", at);
  case 0xfb: return refuse_gc_op(s, "GC instruction 0xfb", at);
  default: return fail(s, WSCAN_UNSUPPORTED, "unknown instruction 0x%02x at offset %zu", op, at);
  }
}

static bool parse_body(struct scanner *s, struct wscan_func *f) {
  uint32_t groups, depth = 0;
  uint64_t locals = 0;
  bool function_end = false;
  size_t at = s->pos;
  f->straight_line = true;
  if (!read_count(s, &groups))
    return false;
  for (uint32_t i = 0; i < groups; i++) {
    uint32_t n;
    uint8_t type;
    if (!read_u32(s, &n) || !read_valtype(s, &type))
      return false;
    locals += n;
    if (locals > UINT32_MAX)
      return fail(s, WSCAN_MALFORMED, "too many locals in the function body at offset %zu", at);
  }
  while (!function_end)
    if (!read_instruction(s, f, &depth, &function_end))
      return false;
  if (s->pos != s->end)
    return fail(s, WSCAN_MALFORMED, "function body ends at offset %zu, before its declared end %zu", s->pos, s->end);
  return true;
}

static bool parse_code_section(struct scanner *s) {
  const size_t section_end = s->end;
  uint32_t count;
  size_t at = s->pos;
  s->m->code_payload_offset = (uint32_t)at;
  if (!read_count(s, &count))
    return false;
  if (count != s->num_declared_funcs)
    return fail(s, WSCAN_MALFORMED, "code section at offset %zu has %u bodies for %u declared functions", at, count,
                s->num_declared_funcs);
  for (uint32_t i = 0; i < count; i++) {
    struct wscan_func *f = &s->m->funcs[i];
    f->code_offset = (uint32_t)s->pos;
    if (!read_u32(s, &f->body_size) || !need(s, f->body_size))
      return false;
    f->body_offset = (uint32_t)s->pos;
    s->end = s->pos + f->body_size;
    s->where = "function body";
    if (!(s->skip_bodies ? skip(s, f->body_size) : parse_body(s, f)))
      return false;
    s->end = section_end;
    s->where = "code section";
    if (s->uses_data_index && !s->has_data_count)
      return fail(s, WSCAN_MALFORMED, "data count section required by memory.init / data.drop in the body at offset %u",
                  f->code_offset);
    s->num_code_bodies = i + 1;
  }
  return true;
}

/* ---- custom sections and names ---- */

static bool record_custom(struct scanner *s, size_t section_at, size_t section_end) {
  struct wscan_module *m = s->m;
  size_t name_start;
  uint32_t name_len;
  if (!read_name_ref(s, &name_start, &name_len))
    return false;
  if (m->num_customs == s->customs_cap) {
    size_t cap = s->customs_cap ? 2 * s->customs_cap : 8;
    struct wscan_custom *p = realloc(m->customs, cap * sizeof *p);
    if (!p)
      return fail(s, WSCAN_MALFORMED, "out of memory reading the %s", s->where);
    m->customs = p;
    s->customs_cap = cap;
  }
  struct wscan_custom *c = &m->customs[m->num_customs];
  if (!(c->name = copy_string(s, name_start, name_len)))
    return false;
  c->offset = (uint32_t)section_at;
  c->size = (uint32_t)(section_end - section_at);
  c->payload_offset = (uint32_t)s->pos;
  m->num_customs++;
  if (name_len >= 7 && memcmp(s->bytes + name_start, ".debug_", 7) == 0)
    m->has_dwarf = true;
  if (name_equals(s, name_start, name_len, WPROF_ABI_FUNCTIONS_SECTION))
    m->has_functions_section = true;
  if (name_equals(s, name_start, name_len, "name") && !s->name_seen) {
    s->name_seen = true;
    s->name_start = s->pos;
    s->name_end = section_end;
  }
  s->pos = section_end;
  return true;
}

/* Walks the function-name subsection; with apply, names the functions.
** Indices must be strictly increasing, as the spec's appendix requires. */
static bool walk_function_names(struct scanner *s, bool apply) {
  uint32_t count, previous = 0;
  if (!read_count(s, &count))
    return false;
  for (uint32_t i = 0; i < count; i++) {
    uint32_t index, len;
    size_t start;
    if (!read_u32(s, &index) || !read_name_ref(s, &start, &len))
      return false;
    if (i > 0 && index <= previous)
      return fail(s, WSCAN_MALFORMED, "function names out of order at offset %zu", start);
    previous = index;
    if (apply && index >= s->m->num_imported_funcs && index - s->m->num_imported_funcs < s->m->num_funcs) {
      struct wscan_func *f = &s->m->funcs[index - s->m->num_imported_funcs];
      if (!(f->name = copy_string(s, start, len)))
        return false;
    }
  }
  return true;
}

static bool walk_name_section(struct scanner *s, bool apply) {
  int previous_id = -1;
  const size_t section_end = s->end;
  while (s->pos < section_end) {
    uint8_t id;
    uint32_t size;
    size_t at = s->pos;
    if (!read_byte(s, &id) || !read_u32(s, &size) || !need(s, size))
      return false;
    if ((int)id <= previous_id)
      return fail(s, WSCAN_MALFORMED, "name subsection %u out of order at offset %zu", id, at);
    previous_id = id;
    s->end = s->pos + size;
    if (id == 1) {
      if (!walk_function_names(s, apply))
        return false;
      if (s->pos != s->end)
        return fail(s, WSCAN_MALFORMED, "name subsection at offset %zu has trailing bytes", at);
    }
    s->pos = s->end;
    s->end = section_end;
  }
  return true;
}

/* A malformed name section is ignored, as engines do: it is first checked
** on a scratch scanner whose failure does not fail the module. */
static void apply_names(struct scanner *s) {
  struct wscan_module *m = s->m;
  if (s->name_seen) {
    char scratch_err[WSCAN_ERR_MAX];
    struct scanner check = *s;
    check.pos = s->name_start;
    check.end = s->name_end;
    check.where = "name section";
    check.err = scratch_err;
    if (walk_name_section(&check, false)) {
      check.pos = s->name_start;
      check.end = s->name_end;
      m->has_name_section = true;
      if (!walk_name_section(&check, true)) {
        s->status = check.status; /* only an allocation can fail here */
        snprintf(s->err, WSCAN_ERR_MAX, "%s", scratch_err);
        return;
      }
    }
  }
  for (uint32_t i = 0; i < m->num_exports; i++) {
    const struct wscan_export *e = &m->exports[i];
    if (e->kind != WSCAN_FUNC || e->index < m->num_imported_funcs)
      continue;
    struct wscan_func *f = &m->funcs[e->index - m->num_imported_funcs];
    if (!f->name) {
      if (!(f->name = alloc_array(s, strlen(e->name) + 1, 1)))
        return;
      strcpy(f->name, e->name);
    }
  }
}

/* ---- the module ---- */

static bool parse_section(struct scanner *s, uint8_t id, size_t section_at) {
  static const char *const names[SEC_LAST + 1] = {
      "custom section", "type section",   "import section", "function section", "table section",
      "memory section", "global section", "export section", "start section",    "element section",
      "code section",   "data section",   "data count section", "tag section"};
  s->where = names[id];
  switch (id) {
  case SEC_CUSTOM: return record_custom(s, section_at, s->end);
  case SEC_TYPE: return parse_type_section(s);
  case SEC_IMPORT: return parse_import_section(s);
  case SEC_FUNCTION: return parse_function_section(s);
  case SEC_TABLE: return parse_table_section(s);
  case SEC_MEMORY: return parse_memory_section(s);
  case SEC_GLOBAL: return parse_global_section(s);
  case SEC_EXPORT: return parse_export_section(s);
  case SEC_START: return parse_start_section(s);
  case SEC_ELEMENT: return parse_element_section(s);
  case SEC_CODE: return parse_code_section(s);
  case SEC_DATA: return parse_data_section(s);
  case SEC_DATA_COUNT: return parse_data_count_section(s);
  case SEC_TAG: return parse_tag_section(s);
  }
  return false;
}

static bool parse_header(struct scanner *s, size_t len) {
  static const uint8_t magic[4] = {0x00, 'a', 's', 'm'};
  if (len < 4 || memcmp(s->bytes, magic, 4) != 0)
    return fail(s, WSCAN_NOT_WASM, "not a WebAssembly module (no \\0asm magic)");
  if (len < 8)
    return fail(s, WSCAN_MALFORMED, "unexpected end of the header at offset %zu", len);
  const uint8_t *v = s->bytes + 4;
  unsigned version = v[0] | v[1] << 8, layer = v[2] | v[3] << 8;
  if (layer == 1)
    return fail(s, WSCAN_NOT_WASM, "binary version 0x%02x layer 1 (a component?): only core modules are supported",
                version);
  if (version != 1 || layer != 0)
    return fail(s, WSCAN_NOT_WASM, "unknown binary version 0x%02x%s", version | layer << 16,
                version == 0x0d ? " (a component?)" : "");
  if (len > UINT32_MAX)
    return fail(s, WSCAN_UNSUPPORTED, "module of %zu bytes (4 GiB or more is not supported)", len);
  s->pos = 8;
  return true;
}

static bool parse_module(struct scanner *s, size_t len) {
  unsigned last_rank = 0;
  if (!parse_header(s, len))
    return false;
  while (s->pos < len) {
    size_t at = s->pos;
    uint8_t id;
    uint32_t size;
    s->end = len;
    s->where = "module";
    if (!read_byte(s, &id) || !read_u32(s, &size))
      return false;
    if (id > SEC_LAST)
      return fail(s, WSCAN_MALFORMED, "malformed section id %u at offset %zu", id, at);
    if (size > len - s->pos)
      return fail(s, WSCAN_MALFORMED, "section %u at offset %zu overruns the end of the module (size %u)", id, at,
                  size);
    if (id != SEC_CUSTOM) {
      if (section_rank[id] <= last_rank)
        return fail(s, WSCAN_MALFORMED, "section %u at offset %zu is out of order or duplicated", id, at);
      last_rank = section_rank[id];
    }
    s->end = s->pos + size;
    if (!parse_section(s, id, at))
      return false;
    if (s->pos != s->end)
      return fail(s, WSCAN_MALFORMED, "section %u at offset %zu has %zu bytes left over (section size mismatch)", id,
                  at, s->end - s->pos);
  }
  s->m->num_funcs = s->num_declared_funcs;
  if (s->num_code_bodies != s->num_declared_funcs)
    return fail(s, WSCAN_MALFORMED, "%u functions declared but the module has no code section", s->num_declared_funcs);
  if (s->has_data_count && !s->has_data_section && s->data_count != 0)
    return fail(s, WSCAN_MALFORMED, "data count %u but no data section", s->data_count);
  apply_names(s);
  return s->status == WSCAN_OK;
}

static enum wscan_status scan(const uint8_t *bytes, size_t len, struct wscan_module *out, char err[WSCAN_ERR_MAX],
                              bool skip_bodies) {
  struct scanner s = {.bytes = bytes, .err = err, .m = out, .where = "module", .skip_bodies = skip_bodies};
  memset(out, 0, sizeof *out);
  err[0] = '\0';
  if (!bytes)
    len = 0;
  if (!parse_module(&s, len)) {
    out->num_funcs = s.num_declared_funcs; /* so wscan_free sees every allocated name */
    wscan_free(out);
  }
  free(s.global_mutable);
  return s.status;
}

enum wscan_status wscan_parse(const uint8_t *bytes, size_t len, struct wscan_module *out, char err[WSCAN_ERR_MAX]) {
  return scan(bytes, len, out, err, false);
}

enum wscan_status wscan_parse_sections(const uint8_t *bytes, size_t len, struct wscan_module *out,
                                       char err[WSCAN_ERR_MAX]) {
  return scan(bytes, len, out, err, true);
}

bool wscan_read_u32(const uint8_t *bytes, size_t len, size_t *pos, uint32_t *out) {
  char err[WSCAN_ERR_MAX];
  struct scanner s = {.bytes = bytes, .err = err, .pos = *pos, .end = len, .where = "custom section"};
  if (*pos > len || !read_u32(&s, out)) return false;
  *pos = s.pos;
  return true;
}

void wscan_free(struct wscan_module *m) {
  for (uint32_t i = 0; i < m->num_types; i++) {
    free(m->types[i].params);
    free(m->types[i].results);
  }
  for (uint32_t i = 0; i < m->num_imports; i++) {
    free(m->imports[i].module);
    free(m->imports[i].name);
  }
  for (uint32_t i = 0; i < m->num_exports; i++)
    free(m->exports[i].name);
  for (uint32_t i = 0; i < m->num_customs; i++)
    free(m->customs[i].name);
  for (uint32_t i = 0; i < m->num_funcs; i++)
    free(m->funcs[i].name);
  free(m->types);
  free(m->imports);
  free(m->exports);
  free(m->customs);
  free(m->funcs);
  memset(m, 0, sizeof *m);
}
