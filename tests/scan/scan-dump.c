/*
** scan-dump: prints what wasm-scan reads from wasm files, for the shell
** tests in this folder (objdump cross-check, spec suite sweep).
**
**   scan-dump FILE         status line, then one line per function and custom section
**   scan-dump -q FILE...   one line per file: STATUS <tab> FILE <tab> reason
**
** Exit status: 0 when every file could be read (whatever its scan status),
** 2 on a usage or I/O error.
*/
#include "wasm-scan.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *status_name(enum wscan_status st) {
  switch (st) {
  case WSCAN_OK: return "OK";
  case WSCAN_NOT_WASM: return "NOT_WASM";
  case WSCAN_MALFORMED: return "MALFORMED";
  case WSCAN_UNSUPPORTED: return "UNSUPPORTED";
  }
  return "?";
}

static uint8_t *read_file(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  uint8_t *buf = NULL;
  size_t cap = 0;
  *len = 0;
  if (!f)
    return NULL;
  for (;;) {
    if (*len == cap) {
      cap = cap ? 2 * cap : 65536;
      uint8_t *p = realloc(buf, cap);
      if (!p)
        break;
      buf = p;
    }
    size_t n = fread(buf + *len, 1, cap - *len, f);
    *len += n;
    if (n == 0) {
      if (ferror(f))
        break;
      fclose(f);
      return buf;
    }
  }
  fclose(f);
  free(buf);
  return NULL;
}

static void print_details(const struct wscan_module *m) {
  printf("features 0x%x types %u imports %u imported_funcs %u funcs %u exports %u tables %u memories %u\n",
         m->features, m->num_types, m->num_imports, m->num_imported_funcs, m->num_funcs, m->num_exports,
         m->num_tables, m->num_memories);
  printf("name_section %d dwarf %d start %d\n", m->has_name_section, m->has_dwarf, m->has_start);
  for (uint32_t i = 0; i < m->num_funcs; i++) {
    const struct wscan_func *f = &m->funcs[i];
    printf("func %u type %u offset %u size %u catch %d tail %d name %s\n", f->func_index, f->type_index,
           f->code_offset, f->body_size, f->has_catch, f->has_tail_call, f->name ? f->name : "-");
  }
  for (uint32_t i = 0; i < m->num_customs; i++)
    printf("custom %s offset %u size %u\n", m->customs[i].name, m->customs[i].offset, m->customs[i].size);
}

int main(int argc, char **argv) {
  int quiet = argc > 1 && strcmp(argv[1], "-q") == 0;
  if (argc < 2 + quiet || (!quiet && argc != 2)) {
    fprintf(stderr, "usage: scan-dump FILE | scan-dump -q FILE...\n");
    return 2;
  }
  for (int i = 1 + quiet; i < argc; i++) {
    size_t len;
    uint8_t *bytes = read_file(argv[i], &len);
    if (!bytes) {
      fprintf(stderr, "scan-dump: cannot read %s\n", argv[i]);
      return 2;
    }
    struct wscan_module m;
    char err[WSCAN_ERR_MAX];
    enum wscan_status st = wscan_parse(bytes, len, &m, err);
    if (quiet)
      printf("%s\t%s\t%s\n", status_name(st), argv[i], err);
    else
      printf("status %s %s\n", status_name(st), err);
    if (st == WSCAN_OK) {
      if (!quiet)
        print_details(&m);
      wscan_free(&m);
    }
    free(bytes);
  }
  return 0;
}
