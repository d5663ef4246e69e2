/*
** dwarf-sources: functions' source locations from the module's DWARF, read by
** libdwarf through its object-access interface (the custom sections served
** from memory as if they were ELF sections). See dwarf-sources.h.
*/
#include "dwarf-sources.h"

#include <libdwarf/dwarf.h>
#include <libdwarf/libdwarf.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

/* ---- the module's ".debug_*" custom sections, as libdwarf sees them ---- */

struct dwarf_section {
  const char *name;
  Dwarf_Small *data;
  Dwarf_Unsigned size;
};

struct wasm_object {
  struct dwarf_section *sections; /* [0] is an empty placeholder, as ELF's section 0 is */
  uint32_t count;
};

static int section_info(void *obj, Dwarf_Half index, Dwarf_Obj_Access_Section *ret, int *error) {
  const struct wasm_object *o = obj;
  (void)error;
  if (index >= o->count) return DW_DLV_NO_ENTRY;
  memset(ret, 0, sizeof *ret);
  ret->type = 1; /* SHT_PROGBITS: plain data, no relocations */
  ret->size = o->sections[index].size;
  ret->name = o->sections[index].name;
  return DW_DLV_OK;
}

static Dwarf_Endianness byte_order(void *obj) {
  (void)obj;
  return DW_OBJECT_LSB;
}

static Dwarf_Small four_bytes(void *obj) {
  (void)obj;
  return 4; /* wasm32: 32-bit DWARF, 32-bit addresses */
}

static Dwarf_Unsigned section_count(void *obj) {
  return ((const struct wasm_object *)obj)->count;
}

static int load_section(void *obj, Dwarf_Half index, Dwarf_Small **data, int *error) {
  const struct wasm_object *o = obj;
  (void)error;
  if (index >= o->count || o->sections[index].size == 0) return DW_DLV_NO_ENTRY;
  *data = o->sections[index].data;
  return DW_DLV_OK;
}

static const Dwarf_Obj_Access_Methods wasm_methods = {
    section_info, byte_order, four_bytes, four_bytes, section_count, load_section, NULL};

static void collect_sections(struct wasm_object *o, const uint8_t *module, const struct wscan_module *scan) {
  o->sections = wprof_xcalloc((size_t)scan->num_customs + 1, sizeof *o->sections);
  o->sections[0].name = "";
  o->count = 1;
  for (uint32_t i = 0; i < scan->num_customs; i++) {
    const struct wscan_custom *c = &scan->customs[i];
    if (strncmp(c->name, ".debug_", 7) != 0) continue;
    struct dwarf_section *s = &o->sections[o->count++];
    s->name = c->name;
    /* libdwarf only reads sections it does not relocate (we give it none to relocate) */
    s->data = (Dwarf_Small *)(uintptr_t)(module + c->payload_offset);
    s->size = c->offset + c->size - c->payload_offset;
  }
}

/* ---- finding each subprogram's function ---- */

struct code_address {
  Dwarf_Addr address; /* of the body, from the start of the code section's payload */
  uint32_t k;         /* defined function */
};

static int by_address(const void *a, const void *b) {
  const struct code_address *x = a, *y = b;
  return x->address < y->address ? -1 : x->address > y->address;
}

struct walk {
  Dwarf_Debug dbg;
  Dwarf_Error error;
  Dwarf_Half version;            /* of the compilation unit: DWARF 5 numbers files from 0, earlier from 1 */
  struct code_address *addresses; /* sorted by address */
  uint32_t naddresses;
  char **cu_files;               /* the compilation unit's file table (dwarf_srcfiles) */
  Dwarf_Signed cu_nfiles;
  uint32_t *cu_map;              /* cu file index -> index in out->files, or SOURCE_NO_FILE */
  struct source_table *out;
};

static const struct code_address *function_at(const struct walk *w, Dwarf_Addr address) {
  struct code_address key = {address, 0};
  return bsearch(&key, w->addresses, w->naddresses, sizeof key, by_address);
}

static uint32_t intern_file(struct walk *w, Dwarf_Signed cu_index) {
  if (w->cu_map[cu_index] != SOURCE_NO_FILE) return w->cu_map[cu_index];
  const char *name = w->cu_files[cu_index];
  struct source_table *t = w->out;
  uint32_t i = 0;
  while (i < t->nfiles && strcmp(t->files[i], name) != 0) i++;
  if (i == t->nfiles) {
    t->files = wprof_xrealloc(t->files, ((size_t)t->nfiles + 1) * sizeof *t->files);
    t->files[t->nfiles++] = wprof_xstrdup(name);
  }
  return w->cu_map[cu_index] = i;
}

/* Reads an unsigned attribute: DW_DLV_OK, DW_DLV_NO_ENTRY or DW_DLV_ERROR. */
static int attr_unsigned(struct walk *w, Dwarf_Die die, Dwarf_Half name, Dwarf_Unsigned *value) {
  Dwarf_Attribute attr;
  int res = dwarf_attr(die, name, &attr, &w->error);
  if (res != DW_DLV_OK) return res;
  res = dwarf_formudata(attr, value, &w->error);
  dwarf_dealloc(w->dbg, attr, DW_DLA_ATTR);
  return res;
}

/* The DIE that die's DW_AT_abstract_origin or DW_AT_specification names. */
static int origin_of(struct walk *w, Dwarf_Die die, Dwarf_Die *origin) {
  static const Dwarf_Half links[] = {DW_AT_abstract_origin, DW_AT_specification};
  for (size_t i = 0; i < sizeof links / sizeof links[0]; i++) {
    Dwarf_Attribute attr;
    int res = dwarf_attr(die, links[i], &attr, &w->error);
    if (res == DW_DLV_ERROR) return res;
    if (res == DW_DLV_NO_ENTRY) continue;
    Dwarf_Off offset;
    res = dwarf_global_formref(attr, &offset, &w->error);
    dwarf_dealloc(w->dbg, attr, DW_DLA_ATTR);
    if (res != DW_DLV_OK) return res;
    return dwarf_offdie_b(w->dbg, offset, true, origin, &w->error);
  }
  return DW_DLV_NO_ENTRY;
}

/* Records the location of the function whose body a subprogram DIE covers. */
static int note_subprogram(struct walk *w, Dwarf_Die die) {
  Dwarf_Addr low_pc;
  int res = dwarf_lowpc(die, &low_pc, &w->error);
  if (res != DW_DLV_OK) return res == DW_DLV_NO_ENTRY ? DW_DLV_OK : res;
  const struct code_address *at = function_at(w, low_pc);
  if (!at || w->out->line[at->k] != 0) return DW_DLV_OK;
  Dwarf_Unsigned file = 0, line = 0;
  Dwarf_Die d = die;
  res = DW_DLV_NO_ENTRY;
  /* a few links at most: a concrete instance, its abstract origin, that one's declaration */
  for (int hops = 0; hops < 4 && res == DW_DLV_NO_ENTRY; hops++) {
    res = attr_unsigned(w, d, DW_AT_decl_line, &line);
    if (res == DW_DLV_OK) res = attr_unsigned(w, d, DW_AT_decl_file, &file);
    if (res == DW_DLV_NO_ENTRY) {
      Dwarf_Die next;
      int link = origin_of(w, d, &next);
      if (d != die) dwarf_dealloc_die(d);
      d = die;
      if (link == DW_DLV_ERROR) return link;
      if (link == DW_DLV_NO_ENTRY) break;
      d = next;
    }
  }
  if (d != die) dwarf_dealloc_die(d);
  if (res == DW_DLV_ERROR) return res;
  if (res != DW_DLV_OK || line == 0 || line > UINT32_MAX) return DW_DLV_OK;
  Dwarf_Unsigned index = w->version >= 5 ? file : file - 1; /* file 0 wraps: unknown */
  if (index >= (Dwarf_Unsigned)w->cu_nfiles) return DW_DLV_OK;
  w->out->file[at->k] = intern_file(w, (Dwarf_Signed)index);
  w->out->line[at->k] = (uint32_t)line;
  return DW_DLV_OK;
}

/* Visits die, its descendants (to a bounded depth) and its following siblings;
** takes ownership of die. */
static int walk_dies(struct walk *w, Dwarf_Die die, int depth) {
  int res = DW_DLV_OK;
  while (die && res == DW_DLV_OK) {
    Dwarf_Half tag;
    res = dwarf_tag(die, &tag, &w->error);
    if (res == DW_DLV_OK && tag == DW_TAG_subprogram) res = note_subprogram(w, die);
    if (res == DW_DLV_OK && depth < 64) {
      Dwarf_Die child;
      res = dwarf_child(die, &child, &w->error);
      if (res == DW_DLV_OK) res = walk_dies(w, child, depth + 1);
      else if (res == DW_DLV_NO_ENTRY) res = DW_DLV_OK;
    }
    Dwarf_Die sibling = NULL;
    if (res == DW_DLV_OK) {
      res = dwarf_siblingof_b(w->dbg, die, true, &sibling, &w->error);
      if (res == DW_DLV_NO_ENTRY) res = DW_DLV_OK, sibling = NULL;
    }
    dwarf_dealloc_die(die);
    die = sibling;
  }
  return res;
}

static void free_cu_files(struct walk *w) {
  for (Dwarf_Signed i = 0; i < w->cu_nfiles; i++) dwarf_dealloc(w->dbg, w->cu_files[i], DW_DLA_STRING);
  if (w->cu_files) dwarf_dealloc(w->dbg, w->cu_files, DW_DLA_LIST);
  free(w->cu_map);
  w->cu_files = NULL;
  w->cu_nfiles = 0;
  w->cu_map = NULL;
}

static int walk_units(struct walk *w) {
  for (;;) {
    Dwarf_Unsigned header_length, type_offset, next_offset;
    Dwarf_Half version, address_size, length_size, extension_size, unit_type;
    Dwarf_Off abbrev_offset;
    Dwarf_Sig8 signature;
    int res = dwarf_next_cu_header_d(w->dbg, true, &header_length, &version, &abbrev_offset, &address_size,
                                     &length_size, &extension_size, &signature, &type_offset, &next_offset,
                                     &unit_type, &w->error);
    if (res != DW_DLV_OK) return res == DW_DLV_NO_ENTRY ? DW_DLV_OK : res;
    Dwarf_Die unit;
    res = dwarf_siblingof_b(w->dbg, NULL, true, &unit, &w->error);
    if (res == DW_DLV_ERROR) return res;
    if (res == DW_DLV_NO_ENTRY) continue;
    w->version = version;
    res = dwarf_srcfiles(unit, &w->cu_files, &w->cu_nfiles, &w->error);
    if (res == DW_DLV_NO_ENTRY) w->cu_files = NULL, w->cu_nfiles = 0, res = DW_DLV_OK;
    if (res == DW_DLV_OK) {
      w->cu_map = wprof_xcalloc((size_t)w->cu_nfiles + 1, sizeof *w->cu_map);
      for (Dwarf_Signed i = 0; i < w->cu_nfiles; i++) w->cu_map[i] = SOURCE_NO_FILE;
      res = walk_dies(w, unit, 0);
      unit = NULL;
    }
    if (unit) dwarf_dealloc_die(unit);
    free_cu_files(w);
    if (res != DW_DLV_OK) return res;
  }
}

/* ---- the table ---- */

static void forget_locations(struct source_table *t) {
  for (uint32_t i = 0; i < t->nfiles; i++) free(t->files[i]);
  free(t->files);
  t->files = NULL;
  t->nfiles = 0;
  for (uint32_t k = 0; k < t->nfuncs; k++) t->file[k] = SOURCE_NO_FILE, t->line[k] = 0;
}

int dwarf_sources_read(const uint8_t *module, size_t len, const struct wscan_module *scan,
                       struct source_table *out, char *err, size_t errlen) {
  (void)len; /* the scan checked every offset against it */
  memset(out, 0, sizeof *out);
  out->nfuncs = scan->num_funcs;
  out->file = wprof_xcalloc((size_t)scan->num_funcs + 1, sizeof *out->file);
  out->line = wprof_xcalloc((size_t)scan->num_funcs + 1, sizeof *out->line);
  forget_locations(out);
  if (!scan->has_dwarf || scan->num_funcs == 0) return 0;

  struct wasm_object object;
  collect_sections(&object, module, scan);
  Dwarf_Obj_Access_Interface access = {&object, &wasm_methods};
  struct walk w = {0};
  w.out = out;
  w.addresses = wprof_xcalloc(scan->num_funcs, sizeof *w.addresses);
  w.naddresses = scan->num_funcs;
  for (uint32_t k = 0; k < scan->num_funcs; k++)
    w.addresses[k] = (struct code_address){scan->funcs[k].body_offset - scan->code_payload_offset, k};
  qsort(w.addresses, w.naddresses, sizeof *w.addresses, by_address);

  int res = dwarf_object_init_b(&access, NULL, NULL, DW_GROUPNUMBER_ANY, &w.dbg, &w.error);
  if (res == DW_DLV_OK) res = walk_units(&w);
  int code = 0;
  if (res == DW_DLV_ERROR) {
    snprintf(err, errlen, "%s", w.error ? dwarf_errmsg(w.error) : "unreadable");
    for (char *c = err; *c; c++)
      if (*c == '\n' || *c == '\r') *c = ' '; /* one line */
    if (w.error) dwarf_dealloc_error(w.dbg, w.error);
    forget_locations(out);
    code = -1;
  }
  free_cu_files(&w);
  if (w.dbg) {
    Dwarf_Error ignored = NULL;
    dwarf_object_finish(w.dbg, &ignored);
  }
  free(w.addresses);
  free(object.sections);
  return code;
}

uint32_t source_table_known(const struct source_table *t) {
  uint32_t known = 0;
  for (uint32_t k = 0; k < t->nfuncs; k++) known += t->line[k] != 0;
  return known;
}

void source_table_free(struct source_table *t) {
  forget_locations(t);
  free(t->file);
  free(t->line);
  memset(t, 0, sizeof *t);
}
