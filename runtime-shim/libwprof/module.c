/*
** libwprof module identity: the XXH3-128 hash of the module as run, and the
** `wprof.functions` custom section written by wasm-instrument, which names
** the functions and flags allocators, and the optional `wprof.sources` section
** of their source files and lines (docs/probe-abi.md). The binary is
** untrusted: wasm-scan (the project's one wasm reader) finds the sections
** (the host's scan, or wscan_parse_sections: the engine that runs the module
** checks its code), every read of their payload is bounded and any
** inconsistency is a clear error.
*/
#include "wprof-internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

#include "wasm-scan.h"

#define SECTION_NAME WPROF_ABI_FUNCTIONS_SECTION

/* A custom section's payload being read. */
struct reader {
  const uint8_t *p, *end;
};

/* Unsigned LEB128 of at most 32 bits, as strict as wasm-scan reads them. */
static bool read_u32(struct reader *r, uint32_t *out) {
  size_t pos = 0;
  if (!wscan_read_u32(r->p, (size_t)(r->end - r->p), &pos, out)) return false;
  r->p += pos;
  return true;
}

static bool read_bytes(struct reader *r, uint32_t len, const uint8_t **out) {
  if ((size_t)(r->end - r->p) < len) return false;
  *out = r->p;
  r->p += len;
  return true;
}

#define KIND_NAME(NAME, number, name) [number] = name,
static const char *const alloc_kinds[WPROF_ABI_ALLOC_KIND_COUNT] = {WPROF_ABI_ALLOC_KINDS(KIND_NAME)};
#undef KIND_NAME
#define ALLOC_KIND WPROF_ABI_ALLOC_KIND

const char *wprof__alloc_kind_name(uint32_t flags) {
  return alloc_kinds[ALLOC_KIND(flags)];
}

static int parse_functions(wprof_recorder *rec, struct reader *r, char *err, size_t errlen) {
  uint32_t version, imported, count;
  if (!read_u32(r, &version)) goto malformed;
  if (version < (uint32_t)WPROF_ABI_VERSION_MIN || version > (uint32_t)WPROF_ABI_VERSION) {
    wprof__errf(err, errlen, "the module's %s section has probe ABI version %u; this wprof knows versions %u to %u",
                SECTION_NAME, version, WPROF_ABI_VERSION_MIN, WPROF_ABI_VERSION);
    return -1;
  }
  /* each entry takes at least 5 bytes, which bounds the allocation */
  if (!read_u32(r, &imported) || !read_u32(r, &count) || count > (size_t)(r->end - r->p) / 5) goto malformed;
  rec->imported_funcs = imported;
  rec->functions = calloc(count ? count : 1, sizeof *rec->functions);
  if (!rec->functions) goto out_of_memory;
  for (uint32_t i = 0; i < count; i++) {
    struct wprof_function *f = &rec->functions[i];
    uint32_t fid, name_len;
    const uint8_t *name;
    if (!read_u32(r, &fid) || fid != i || !read_u32(r, &f->func_index) || !read_u32(r, &f->code_offset) ||
        !read_u32(r, &f->flags) || !read_u32(r, &name_len) || !read_bytes(r, name_len, &name))
      goto malformed;
    if (ALLOC_KIND(f->flags) >= sizeof alloc_kinds / sizeof alloc_kinds[0]) {
      wprof__errf(err, errlen, "the module's %s section gives function %u an unknown allocator kind %u", SECTION_NAME,
                  i, ALLOC_KIND(f->flags));
      return -1;
    }
    f->name = malloc((size_t)name_len + 1);
    if (!f->name) goto out_of_memory;
    memcpy(f->name, name, name_len);
    f->name[name_len] = '\0';
    rec->nfunctions = i + 1;
  }
  if (r->p != r->end) goto malformed;
  return 0;
malformed:
  wprof__errf(err, errlen, "the module's %s section is malformed", SECTION_NAME);
  return -1;
out_of_memory:
  wprof__errf(err, errlen, "out of memory reading the module's %s section", SECTION_NAME);
  return -1;
}

/* Reads a string into a fresh C string; false when truncated or out of memory. */
static bool read_string(struct reader *r, char **out) {
  uint32_t len;
  const uint8_t *bytes;
  if (!read_u32(r, &len) || !read_bytes(r, len, &bytes) || !(*out = malloc((size_t)len + 1))) return false;
  memcpy(*out, bytes, len);
  (*out)[len] = '\0';
  return true;
}

/* The wprof.sources section, after wprof.functions: file names, then
** (fid, file index, line) for the functions with a known location. */
static int parse_sources(wprof_recorder *rec, struct reader *r, char *err, size_t errlen) {
  uint32_t nfiles, count;
  /* each file name takes at least 1 byte, each entry at least 3 */
  if (!read_u32(r, &nfiles) || nfiles > (size_t)(r->end - r->p)) goto malformed;
  rec->source_files = calloc(nfiles ? nfiles : 1, sizeof *rec->source_files);
  if (!rec->source_files) goto malformed;
  for (; rec->nsource_files < nfiles; rec->nsource_files++)
    if (!read_string(r, &rec->source_files[rec->nsource_files])) goto malformed;
  if (!read_u32(r, &count) || count > (size_t)(r->end - r->p) / 3) goto malformed;
  uint32_t next_fid = 0;
  for (uint32_t i = 0; i < count; i++) {
    uint32_t fid, file, line;
    if (!read_u32(r, &fid) || !read_u32(r, &file) || !read_u32(r, &line) || fid < next_fid ||
        fid >= rec->nfunctions || file >= nfiles || line == 0)
      goto malformed;
    rec->functions[fid].file = rec->source_files[file];
    rec->functions[fid].line = line;
    next_fid = fid + 1;
  }
  if (r->p != r->end) goto malformed;
  return 0;
malformed:
  wprof__errf(err, errlen, "the module's %s section is malformed", WPROF_ABI_SOURCES_SECTION);
  return -1;
}

/* The payload of the custom section `name`: false when there is none, -1
** (with err) when there are two. */
static int find_section(const struct wscan_module *m, const uint8_t *bytes, const char *name, struct reader *out,
                        char *err, size_t errlen) {
  int found = 0;
  for (uint32_t i = 0; i < m->num_customs; i++) {
    const struct wscan_custom *c = &m->customs[i];
    if (strcmp(c->name, name) != 0) continue;
    if (found++) {
      wprof__errf(err, errlen, "the module has two %s sections", name);
      return -1;
    }
    *out = (struct reader){bytes + c->payload_offset, bytes + c->offset + c->size};
  }
  return found;
}

/* Hashes the module and reads its wprof.functions and wprof.sources sections,
** if any, finding them with the host's scan of it or a scan of its own. */
int wprof__module_read(wprof_recorder *rec, const uint8_t *bytes, size_t len, const struct wscan_module *scan, char *err,
                       size_t errlen) {
  XXH128_canonical_t canon;
  XXH128_canonicalFromHash(&canon, XXH3_128bits(bytes, len));
  for (size_t i = 0; i < sizeof canon.digest; i++) snprintf(rec->module_hash + 2 * i, 3, "%02x", canon.digest[i]);
  rec->module_size = len;
  if (len == 0) return 0;
  struct wscan_module own;
  char why[WSCAN_ERR_MAX];
  enum wscan_status status = scan ? WSCAN_OK : wscan_parse_sections(bytes, len, &own, why);
  if (status != WSCAN_OK) {
    wprof__errf(err, errlen, status == WSCAN_NOT_WASM ? "the module is not a WebAssembly module: %s"
                             : status == WSCAN_MALFORMED ? "the module is malformed: %s"
                                                         : "the module is not supported: %s", why);
    return -1;
  }
  const struct wscan_module *m = scan ? scan : &own;
  struct reader functions, sources;
  int has_functions = find_section(m, bytes, SECTION_NAME, &functions, err, errlen);
  int has_sources = has_functions < 0 ? 0 : find_section(m, bytes, WPROF_ABI_SOURCES_SECTION, &sources, err, errlen);
  int rc = has_functions < 0 || has_sources < 0 ? -1 : 0;
  rec->instrumented = has_functions > 0;
  if (rc == 0 && has_functions > 0) rc = parse_functions(rec, &functions, err, errlen);
  /* locations name functions, so they are read once the functions are */
  if (rc == 0 && has_sources > 0) rc = parse_sources(rec, &sources, err, errlen);
  if (!scan) wscan_free(&own);
  return rc;
}
