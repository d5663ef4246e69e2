/*
** wscan-fuzz: libFuzzer target for wasm-scan (wasm-scan). Besides
** "never crash, never leak", it checks what the rewriter relies on when the
** scan succeeds: every function body and custom section lies inside the
** input, bodies are in file order, and every string is NUL-terminated; and
** the same of wscan_parse_sections, which accepts whatever wscan_parse does.
** Built by run.sh with clang -fsanitize=fuzzer; replay-main.c turns it into
** a plain program for the ctest regression run over corpus/ and crashes/.
*/
#include "wasm-scan.h"

#include <stdlib.h>
#include <string.h>

static void check(int ok) {
  if (!ok)
    abort();
}

static void check_module(const struct wscan_module *m, size_t len) {
  uint64_t previous_end = 8;
  for (uint32_t i = 0; i < m->num_funcs; i++) {
    const struct wscan_func *f = &m->funcs[i];
    check(f->func_index == m->num_imported_funcs + i);
    check(f->type_index < m->num_types);
    check(f->code_offset >= previous_end && (uint64_t)f->code_offset + f->body_size < len);
    previous_end = (uint64_t)f->code_offset + f->body_size;
    check(!f->name || strlen(f->name) <= len);
  }
  for (uint32_t i = 0; i < m->num_customs; i++)
    check((uint64_t)m->customs[i].offset + m->customs[i].size <= len && strlen(m->customs[i].name) < len);
  for (uint32_t i = 0; i < m->num_imports; i++)
    check(strlen(m->imports[i].module) + strlen(m->imports[i].name) < len);
  for (uint32_t i = 0; i < m->num_exports; i++)
    check(strlen(m->exports[i].name) < len);
  for (uint32_t i = 0; i < m->num_types; i++)
    check(m->types[i].num_params + (uint64_t)m->types[i].num_results < len);
  check(m->block_params_at < len);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  struct wscan_module m;
  char err[WSCAN_ERR_MAX];
  enum wscan_status st = wscan_parse(data, size, &m, err);
  check(st <= WSCAN_UNSUPPORTED);
  check(strlen(err) < WSCAN_ERR_MAX && !strchr(err, '\n'));
  if (st == WSCAN_OK) {
    check(err[0] == '\0');
    check_module(&m, size);
    wscan_free(&m);
  } else {
    check(err[0] != '\0' && m.funcs == NULL && m.num_funcs == 0);
  }
  /* the sections alone (libwprof's reading): whatever the full scan accepts, laid out as safely */
  enum wscan_status sections = wscan_parse_sections(data, size, &m, err);
  check(sections <= WSCAN_UNSUPPORTED && (st != WSCAN_OK || sections == WSCAN_OK));
  if (sections == WSCAN_OK) {
    check_module(&m, size);
    wscan_free(&m);
  }
  return 0;
}
