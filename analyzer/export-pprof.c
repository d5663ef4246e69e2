/* `wprof export --format pprof`: a gzip-compressed profile.proto (see
 * profile.proto) for `go tool pprof`. Every call path becomes one sample
 * whose locations are the path's functions, leaf first; every function one
 * Function and one Location (address = its index in the module, mapping 1 =
 * the module). So pprof's flat is our self time and its cum, which counts a
 * function once per sample, is our outermost-activation inclusive time.
 * The CPU profile has the sample types calls/count and time/nanoseconds,
 * or for a sampled run samples/count, cpu/nanoseconds and calls/count,
 * then instructions/count (self instructions) when the module counted them;
 * the heap profile (--heap) alloc_objects, alloc_space, inuse_objects and
 * inuse_space per allocation site, like Go's heap profiles.
 * protobuf-c packs everything but the samples; the samples (a million for a
 * big profile) are encoded here straight into the gzip stream as more
 * `sample` fields after the rest, which protobuf allows (repeated fields may
 * come in any order and pieces), so no per-sample message is built. */
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "cct.h"
#include "export.h"
#include "profile.pb-c.h"
#include "util.h"

struct sample_type {
  const char *type, *unit;
};

/* The sample types of each kind of profile, its default one and its period
 * type. A sampled run's are those of Go's CPU profiles (samples/count,
 * cpu/nanoseconds, period = the sample interval), so pprof's usual views and
 * tools read it as one; calls/count follows. */
enum { KIND_EXACT, KIND_SAMPLED, KIND_HEAP, NKINDS, MAX_TYPES = 4 };
/* Follows a CPU profile's types when the run counted instructions. */
static const struct sample_type instructions_type = {"instructions", "count"};
struct profile_kind {
  struct sample_type types[MAX_TYPES], period;
  int ntypes;
  const char *default_type;
};
static const struct profile_kind kinds[NKINDS] = {
    [KIND_EXACT] = {{{"calls", "count"}, {"time", "nanoseconds"}}, {"time", "nanoseconds"}, 2, "time"},
    [KIND_SAMPLED] = {{{"samples", "count"}, {"cpu", "nanoseconds"}, {"calls", "count"}},
                      {"cpu", "nanoseconds"},
                      3,
                      "cpu"},
    [KIND_HEAP] = {{{"alloc_objects", "count"}, {"alloc_space", "bytes"}, {"inuse_objects", "count"},
                    {"inuse_space", "bytes"}},
                   {"space", "bytes"},
                   4,
                   "inuse_space"},
};

/* Index of name among the kind's sample types, or -1. */
static int type_index(const struct profile_kind *k, const char *name)
{
  for (int i = 0; i < k->ntypes; i++)
    if (strcmp(name, k->types[i].type) == 0)
      return i;
  return -1;
}

int export_pprof_sample_kind(const char *name)
{
  if (type_index(&kinds[KIND_HEAP], name) >= 0)
    return 1;
  return strcmp(name, instructions_type.type) == 0 || type_index(&kinds[KIND_EXACT], name) >= 0 || type_index(&kinds[KIND_SAMPLED], name) >= 0 ? 0 : -1;
}

struct strings {
  char **items;
  size_t count, cap;
};

/* Appends s to the string table and returns its index. */
static int64_t intern(struct strings *st, const char *s)
{
  if (st->count == st->cap) {
    st->cap = st->cap ? 2 * st->cap : 64;
    st->items = wprof_xrealloc(st->items, sizeof(char *) * st->cap);
  }
  st->items[st->count] = wprof_xstrdup(s);
  return (int64_t)st->count++;
}

/* Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's
 * days_from_civil), so no non-standard timegm() is needed. */
static int64_t days_from_civil(int64_t y, int64_t m, int64_t d)
{
  y -= m <= 2;
  int64_t era = (y >= 0 ? y : y - 399) / 400;
  int64_t yoe = y - era * 400;
  int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

/* "2026-11-22T04:05:06.123Z" -> Unix nanoseconds; 0 if it does not parse. */
static int64_t parse_start_time(const char *iso)
{
  int y, mo, d, h, mi, s, consumed = 0;
  if (!iso || sscanf(iso, "%4d-%2d-%2dT%2d:%2d:%2d%n", &y, &mo, &d, &h, &mi, &s, &consumed) != 6)
    return 0;
  int64_t frac = 0, scale = 1000000000;
  const char *p = iso + consumed;
  if (*p == '.')
    for (p++; *p >= '0' && *p <= '9'; p++)
      if (scale > 1) {
        scale /= 10;
        frac += (*p - '0') * scale;
      }
  int64_t seconds = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + s;
  return seconds * 1000000000 + frac;
}

/* A gzip stream (level 1, like Go's runtime/pprof) written through a buffer. */
struct gzip_out {
  z_stream z;
  FILE *out;
  int failed;
  size_t used;
  uint8_t in[1 << 16], out_chunk[1 << 16];
};

static int gzip_open(struct gzip_out *g, FILE *out)
{
  memset(&g->z, 0, sizeof g->z);
  g->out = out;
  g->failed = 0;
  g->used = 0;
  return deflateInit2(&g->z, 1, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) == Z_OK ? 0 : -1;
}

/* Compresses the buffered input; flush is Z_NO_FLUSH or Z_FINISH. */
static void gzip_deflate(struct gzip_out *g, int flush)
{
  g->z.next_in = g->in;
  g->z.avail_in = (uInt)g->used;
  int rc;
  do {
    g->z.next_out = g->out_chunk;
    g->z.avail_out = sizeof g->out_chunk;
    rc = deflate(&g->z, flush);
    size_t have = sizeof g->out_chunk - g->z.avail_out;
    if (rc == Z_STREAM_ERROR || fwrite(g->out_chunk, 1, have, g->out) != have)
      g->failed = 1;
  } while (!g->failed && (g->z.avail_out == 0 || (flush == Z_FINISH && rc != Z_STREAM_END)));
  g->used = 0;
}

static void gzip_write(struct gzip_out *g, const void *data, size_t size)
{
  const uint8_t *p = data;
  while (size && !g->failed) {
    size_t n = sizeof g->in - g->used < size ? sizeof g->in - g->used : size;
    memcpy(g->in + g->used, p, n);
    g->used += n;
    p += n;
    size -= n;
    if (g->used == sizeof g->in)
      gzip_deflate(g, Z_NO_FLUSH);
  }
}

/* Appends a protobuf varint; needs 10 free bytes in the buffer. */
static inline void gzip_varint(struct gzip_out *g, uint64_t v)
{
  if (sizeof g->in - g->used < 10)
    gzip_deflate(g, Z_NO_FLUSH);
  while (v >= 0x80) {
    g->in[g->used++] = (uint8_t)(v | 0x80);
    v >>= 7;
  }
  g->in[g->used++] = (uint8_t)v;
}

/* Finishes the stream; returns 0, or -1 if anything failed. */
static int gzip_close(struct gzip_out *g)
{
  if (!g->failed)
    gzip_deflate(g, Z_FINISH);
  deflateEnd(&g->z);
  return g->failed ? -1 : 0;
}

static size_t varint_size(uint64_t v)
{
  size_t n = 1;
  for (; v >= 0x80; v >>= 7)
    n++;
  return n;
}

/* Writes one Profile.sample (field 2): the locations of a node of the drawn
 * tree (cct.h), leaf first
 * (location id = function index + 1), and the values. */
static void write_sample(struct gzip_out *g, const struct wprof_drawn_tree *tree, int32_t node, const int64_t *values,
                         int nvalues)
{
  size_t locations = 0, value_bytes = 0;
  for (int32_t p = node; p >= 0; p = tree->nodes[p].parent)
    locations += varint_size((uint64_t)tree->nodes[p].function + 1);
  for (int i = 0; i < nvalues; i++)
    value_bytes += varint_size((uint64_t)values[i]);
  size_t body = 1 + varint_size(locations) + locations + 1 + varint_size(value_bytes) + value_bytes;
  gzip_varint(g, 2 << 3 | 2); /* Profile.sample, length-delimited */
  gzip_varint(g, body);
  gzip_varint(g, 1 << 3 | 2); /* Sample.location_id, packed */
  gzip_varint(g, locations);
  for (int32_t p = node; p >= 0; p = tree->nodes[p].parent)
    gzip_varint(g, (uint64_t)tree->nodes[p].function + 1);
  gzip_varint(g, 2 << 3 | 2); /* Sample.value, packed */
  gzip_varint(g, value_bytes);
  for (int i = 0; i < nvalues; i++)
    gzip_varint(g, (uint64_t)values[i]);
}

/* One sample per call path with a nonzero value, in the order of the kind's
 * sample types. */
static void write_cpu_samples(struct gzip_out *g, const struct wprof_drawn_tree *tree, int sampled, int ntypes)
{
  for (int32_t i = 0; i < tree->nnodes; i++) {
    const struct wprof_drawn_node *p = &tree->nodes[i];
    int64_t exact_values[] = {p->calls, p->self_ns, p->self_instructions},
            sampled_values[] = {p->samples, p->self_ns, p->calls, p->self_instructions};
    if (p->calls || p->self_ns || p->samples || p->self_instructions)
      write_sample(g, tree, i, sampled ? sampled_values : exact_values, ntypes);
  }
}

/* One sample per allocation site. */
static int write_heap_samples(struct wprof_db *db, struct gzip_out *g, const struct wprof_cct *cct,
                              const struct wprof_drawn_tree *tree)
{
  sqlite3_stmt *stmt = wprof_db_prepare(
      db, "SELECT path_id, alloc_objects, alloc_bytes, live_objects, live_bytes FROM alloc_sites ORDER BY path_id");
  if (!stmt)
    return -1;
  int rc;
  while ((rc = wprof_db_step(db, stmt)) == SQLITE_ROW) {
    int32_t path = wprof_cct_find_path(cct, sqlite3_column_int64(stmt, 0));
    if (path < 0) {
      snprintf(db->error, sizeof db->error, "corrupt database: alloc site of unknown path %lld",
               (long long)sqlite3_column_int64(stmt, 0));
      rc = SQLITE_ERROR;
      break;
    }
    int64_t values[MAX_TYPES];
    for (int v = 0; v < kinds[KIND_HEAP].ntypes; v++)
      values[v] = sqlite3_column_int64(stmt, 1 + v);
    write_sample(g, tree, tree->node_of[path], values, kinds[KIND_HEAP].ntypes);
  }
  sqlite3_finalize(stmt);
  return rc == SQLITE_DONE ? 0 : -1;
}

int export_pprof(struct wprof_db *db, const struct export_options *o, FILE *out)
{
  struct profile_kind counted = kinds[o->heap ? KIND_HEAP : db->run.sampled ? KIND_SAMPLED : KIND_EXACT];
  const struct profile_kind *kind = &counted;
  if (!o->heap && db->run.counted) {
    counted.types[counted.ntypes++] = instructions_type;
    if (wprof_prefers_instructions(&db->run))
      counted.default_type = instructions_type.type;
  }
  const char *default_type = o->sample_index ? o->sample_index : kind->default_type;
  int default_index = type_index(kind, default_type);
  if (default_index < 0 && strcmp(default_type, instructions_type.type) == 0) {
    wprof_db_require_instructions(db);
    return -1;
  }
  if (default_index < 0) {
    /* export.c knows the names, not which of them this run has. */
    char names[128] = "";
    for (int i = 0; i < kind->ntypes; i++)
      snprintf(names + strlen(names), sizeof names - strlen(names), "%s%s", i ? ", " : "", kind->types[i].type);
    snprintf(db->error, sizeof db->error, "--sample-index %s: not a sample type of a profile timed '%s' (%s)",
             default_type, db->run.timing, names);
    return -1;
  }
  struct wprof_cct cct;
  if (wprof_cct_load(db, &cct))
    return -1;
  struct wprof_drawn_tree tree;
  wprof_drawn_tree_build(&cct, wprof_collapses_recursion(&db->run), &tree);

  struct strings st = {0};
  intern(&st, "");
  Perftools__Profiles__Profile profile = PERFTOOLS__PROFILES__PROFILE__INIT;
  Perftools__Profiles__ValueType value_types[MAX_TYPES], *value_type_ptrs[MAX_TYPES];
  for (int i = 0; i < kind->ntypes; i++) {
    perftools__profiles__value_type__init(&value_types[i]);
    value_types[i].type = intern(&st, kind->types[i].type);
    value_types[i].unit = intern(&st, kind->types[i].unit);
    value_type_ptrs[i] = &value_types[i];
  }
  profile.default_sample_type = value_types[default_index].type;
  profile.n_sample_type = (size_t)kind->ntypes;
  profile.sample_type = value_type_ptrs;
  Perftools__Profiles__ValueType period_type = PERFTOOLS__PROFILES__VALUE_TYPE__INIT;
  period_type.type = intern(&st, kind->period.type);
  period_type.unit = intern(&st, kind->period.unit);
  profile.period_type = &period_type;
  profile.period = db->run.sampled && !o->heap ? db->run.sample_interval_ns : 1;
  profile.time_nanos = parse_start_time(db->run.start_time);
  profile.duration_nanos = db->run.duration_ns;

  /* The module is the one mapping; functions and locations share ids. */
  int64_t module_name = intern(&st, db->run.module_path);
  Perftools__Profiles__Mapping mapping = PERFTOOLS__PROFILES__MAPPING__INIT, *mapping_ptr = &mapping;
  mapping.id = 1;
  mapping.filename = module_name;
  mapping.build_id = intern(&st, db->run.module_hash ? db->run.module_hash : "");
  mapping.has_functions = 1;
  size_t nf = (size_t)cct.nfunctions;
  Perftools__Profiles__Function *functions = wprof_xcalloc(nf, sizeof *functions);
  Perftools__Profiles__Function **function_ptrs = wprof_xcalloc(nf, sizeof *function_ptrs);
  Perftools__Profiles__Location *locations = wprof_xcalloc(nf, sizeof *locations);
  Perftools__Profiles__Location **location_ptrs = wprof_xcalloc(nf, sizeof *location_ptrs);
  Perftools__Profiles__Line *lines = wprof_xcalloc(nf, sizeof *lines);
  Perftools__Profiles__Line **line_ptrs = wprof_xcalloc(nf, sizeof *line_ptrs);
  for (size_t i = 0; i < nf; i++) {
    const struct wprof_cct_function *f = &cct.functions[i];
    perftools__profiles__function__init(&functions[i]);
    functions[i].id = i + 1;
    functions[i].name = functions[i].system_name = intern(&st, f->name);
    /* a module with DWARF gives the source file and line (functions.file, .line) */
    functions[i].filename = f->file ? intern(&st, f->file) : module_name;
    functions[i].start_line = f->line;
    function_ptrs[i] = &functions[i];
    perftools__profiles__line__init(&lines[i]);
    lines[i].function_id = i + 1;
    lines[i].line = f->line;
    line_ptrs[i] = &lines[i];
    perftools__profiles__location__init(&locations[i]);
    locations[i].id = i + 1;
    locations[i].n_line = 1;
    locations[i].line = &line_ptrs[i];
    location_ptrs[i] = &locations[i];
    /* '(root)' (func_index -1) is no code of the module: no mapping, no address. */
    if (f->func_index < 0)
      continue;
    locations[i].mapping_id = 1;
    locations[i].address = (uint64_t)f->func_index;
    if ((uint64_t)f->func_index >= mapping.memory_limit)
      mapping.memory_limit = (uint64_t)f->func_index + 1;
  }
  profile.n_mapping = 1;
  profile.mapping = &mapping_ptr;
  profile.n_function = profile.n_location = nf;
  profile.function = function_ptrs;
  profile.location = location_ptrs;

  char *comment = wprof_xasprintf("wprof %s profile of %s (%s%s%s)", o->heap ? "heap" : "cpu", db->run.module_path,
                                  db->run.status, db->run.trap ? ": " : "", db->run.trap ? db->run.trap : "");
  int64_t comment_index = intern(&st, comment);
  free(comment);
  profile.n_comment = 1;
  profile.comment = &comment_index;
  profile.n_string_table = st.count;
  profile.string_table = st.items;

  size_t size = perftools__profiles__profile__get_packed_size(&profile);
  uint8_t *packed = wprof_xmalloc(size);
  perftools__profiles__profile__pack(&profile, packed);
  struct gzip_out *g = wprof_xmalloc(sizeof *g);
  int rc = gzip_open(g, out);
  if (rc == 0) {
    gzip_write(g, packed, size);
    if (o->heap)
      rc = write_heap_samples(db, g, &cct, &tree);
    else
      write_cpu_samples(g, &tree, db->run.sampled, kind->ntypes);
    if (gzip_close(g) && rc == 0) {
      snprintf(db->error, sizeof db->error, "cannot compress the profile");
      rc = -1;
    }
  } else {
    snprintf(db->error, sizeof db->error, "cannot compress the profile");
  }

  free(g);
  free(packed);
  free(functions);
  free(function_ptrs);
  free(locations);
  free(location_ptrs);
  free(lines);
  free(line_ptrs);
  for (size_t i = 0; i < st.count; i++)
    free(st.items[i]);
  free(st.items);
  wprof_drawn_tree_free(&tree);
  wprof_cct_free(&cct);
  return rc;
}
