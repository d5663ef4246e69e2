/*
** opcode-check: cross-checks wasm-scan's opcode table against wabt's
** wasm-objdump (an independent decoder, all features on). For every
** one-byte opcode and every 0xfc / 0xfd / 0xfe sub-opcode (0xfd up to
** 0x120), a one-function module is built with the opcode followed by zeros:
**   - wabt cannot decode it: wasm-scan must refuse it (UNSUPPORTED);
**   - wabt decodes it: wasm-scan must not call it unknown and, unless it
**     refuses it on purpose, must give it wabt's length: the body cut right
**     after wabt's immediates is accepted, one byte shorter is malformed.
** usage: opcode-check TMPDIR
*/
#include "wasm-scan.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { FILL = 20 };

/* One function (type () -> ()) whose body is: no locals, op, end; with a
** table, a memory, a data count and one passive data segment, so that
** every immediate that names something finds it. */
static size_t build(uint8_t *out, const uint8_t *op, size_t op_len) {
  static const uint8_t head[] = {0, 'a', 's', 'm', 1, 0, 0, 0, 1, 4, 1, 0x60, 0, 0, 3, 2, 1, 0,
                                 4, 4, 1, 0x70, 0, 1, 5, 3, 1, 0, 1, 12, 1, 1};
  static const uint8_t data[] = {11, 3, 1, 1, 0};
  size_t n = sizeof head;
  memcpy(out, head, n);
  out[n++] = 10, out[n++] = (uint8_t)(op_len + 4), out[n++] = 1, out[n++] = (uint8_t)(op_len + 2), out[n++] = 0;
  memcpy(out + n, op, op_len), n += op_len;
  out[n++] = 0x0b;
  memcpy(out + n, data, sizeof data);
  return n + sizeof data;
}

struct probe {
  uint8_t op[3 + FILL];
  size_t op_len;
  int wabt_length; /* of the first instruction, -1 if wabt cannot decode the module */
};

static void write_probe(const char *dir, int i, const struct probe *p) {
  char path[4096];
  uint8_t module[128];
  size_t len = build(module, p->op, p->op_len + FILL);
  snprintf(path, sizeof path, "%s/probe-%d.wasm", dir, i);
  FILE *f = fopen(path, "wb");
  if (!f || fwrite(module, 1, len, f) != len || fclose(f) != 0) {
    fprintf(stderr, "cannot write %s\n", path);
    exit(2);
  }
}

/* Runs wasm-objdump over probes first..count-1 and records their lengths.
** Its output names each file ("probe-N.wasm:\tfile format") then lists
** instructions as " 00001c: fd 0c 00 ... | v128.const ..." (continuation
** lines have no mnemonic). It stops at the first module it cannot decode:
** returns the index of that module (count if none failed). */
static int wabt_run(const char *dir, struct probe *probes, int first, int count) {
  size_t cap = 64 + (size_t)(count - first) * 32 + strlen(dir);
  char *cmd = malloc(cap), line[512];
  size_t n = (size_t)snprintf(cmd, cap, "cd '%s' && wasm-objdump -d", dir);
  for (int i = first; i < count; i++)
    n += (size_t)snprintf(cmd + n, cap - n, " probe-%d.wasm", i);
  snprintf(cmd + n, cap - n, " 2>/dev/null");
  FILE *p = popen(cmd, "r");
  long first_offset = -1;
  int current = -1, seen = 0;
  while (p && fgets(line, sizeof line, p)) {
    unsigned long offset;
    int index;
    char *bar = strchr(line, '|');
    if (sscanf(line, "probe-%d.wasm:", &index) == 1 && index >= first && index < count) {
      current = index, seen = 0;
    } else if (current >= 0 && sscanf(line, " %lx:", &offset) == 1 && bar && bar[1] == ' ' && bar[2] >= 'a' &&
               bar[2] <= 'z') {
      if (seen++ == 0)
        first_offset = (long)offset;
      else if (seen == 2)
        probes[current].wabt_length = (int)((long)offset - first_offset);
    }
  }
  int rc = p ? pclose(p) : -1;
  free(cmd);
  if (rc == 0)
    return count;
  if (current < 0)
    return first;
  return probes[current].wabt_length < 0 ? current : current + 1;
}

static void wabt_lengths(const char *dir, struct probe *probes, int count) {
  for (int i = 0; i < count; i++)
    probes[i].wabt_length = -1;
  for (int next = 0; next < count;)
    next = wabt_run(dir, probes, next, count) + 1;
}

static enum wscan_status scan(const uint8_t *module, size_t len, char *err) {
  struct wscan_module m;
  enum wscan_status st = wscan_parse(module, len, &m, err);
  if (st == WSCAN_OK)
    wscan_free(&m);
  return st;
}

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: opcode-check TMPDIR\n");
    return 2;
  }
  static struct probe probes[1024];
  int count = 0, same = 0, refused = 0, bad = 0;
  for (int prefix = -1; prefix <= 0xfe; prefix++) {
    /* -1: the one-byte opcodes; then the 0xfc, 0xfd, 0xfe prefixes */
    if (prefix >= 0 && prefix != 0xfc && prefix != 0xfd && prefix != 0xfe)
      continue;
    int last = prefix < 0 ? 0xff : prefix == 0xfc ? 32 : prefix == 0xfd ? 0x120 : 0x60;
    for (int code = 0; code <= last; code++) {
      struct probe *p = &probes[count];
      if (prefix < 0) {
        /* blocks, end and delegate need a matching structure; prefixes are below */
        if (code == 0x02 || code == 0x03 || code == 0x04 || code == 0x06 || code == 0x0b || code == 0x18 ||
            code == 0x1f || code >= 0xfb)
          continue;
        p->op[p->op_len++] = (uint8_t)code;
      } else {
        p->op[p->op_len++] = (uint8_t)prefix;
        if (code < 128)
          p->op[p->op_len++] = (uint8_t)code;
        else
          p->op[p->op_len++] = (uint8_t)(code % 128 + 128), p->op[p->op_len++] = (uint8_t)(code / 128);
      }
      write_probe(argv[1], count++, p);
    }
  }
  wabt_lengths(argv[1], probes, count);
  for (int i = 0; i < count; i++) {
    const struct probe *p = &probes[i];
    uint8_t module[128];
    char err[WSCAN_ERR_MAX], name[32];
    snprintf(name, sizeof name, p->op_len == 1 ? "0x%02x" : "0x%02x %d", p->op[0],
             p->op_len == 1 ? 0 : p->op[1] % 128 + (p->op_len == 3 ? 128 * p->op[2] : 0));
    enum wscan_status st = scan(module, build(module, p->op, p->op_len + FILL), err);
    if (p->wabt_length < 0) {
      if (st != WSCAN_UNSUPPORTED) {
        printf("FAIL %s: wabt cannot decode it, wasm-scan: %d %s\n", name, st, err);
        bad++;
      }
      continue;
    }
    if (strncmp(err, "unknown instruction", 19) == 0) {
      printf("FAIL %s: wabt decodes it, wasm-scan: %s\n", name, err);
      bad++;
      continue;
    }
    if (st == WSCAN_UNSUPPORTED) {
      refused++;
      continue;
    }
    size_t imm = (size_t)p->wabt_length - p->op_len;
    if (scan(module, build(module, p->op, p->op_len + imm), err) != WSCAN_OK) {
      printf("FAIL %s: cut after wabt's %zu immediate bytes: %s\n", name, imm, err);
      bad++;
    }
    if (imm > 0 && scan(module, build(module, p->op, p->op_len + imm - 1), err) != WSCAN_MALFORMED) {
      printf("FAIL %s: one byte short of wabt's %zu immediate bytes is not malformed\n", name, imm);
      bad++;
    }
    same++;
  }
  printf("%d opcodes checked: %d decoded with wabt's length, %d refused on purpose, %d failures\n", count, same,
         refused, bad);
  return bad || same == 0 ? 1 : 0;
}
