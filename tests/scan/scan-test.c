/*
** scan-test: unit tests of wasm-scan (wasm-scan).
**
** Hand-assembled byte arrays check every malformed / unsupported / not-wasm
** case with its exact message (offsets counted by hand from the layouts
** below); modules built from the modules/ .wat files by wat2wasm and from C by clang
** check features, counts, names and flags; a real clang module is cut at
** every length and corrupted at every byte; a synthetic 20 MB module checks
** the scan stays linear.
** usage: scan-test MODULE_DIR   (the build directory holding the .wasm files)
*/
#include "wasm-scan.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static int failures;
static const char *module_dir;

#define CHECK(cond)                                                                                                    \
  do {                                                                                                                 \
    if (!(cond)) {                                                                                                     \
      fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond);                                         \
      failures++;                                                                                                      \
    }                                                                                                                  \
  } while (0)

static const char *status_name(enum wscan_status st) {
  static const char *const names[] = {"OK", "NOT_WASM", "MALFORMED", "UNSUPPORTED"};
  return st <= WSCAN_UNSUPPORTED ? names[st] : "?";
}

/* Scans bytes and checks the status and the exact message ("" for OK). */
static void expect(const char *label, const uint8_t *bytes, size_t len, enum wscan_status want, const char *want_err) {
  struct wscan_module m;
  char err[WSCAN_ERR_MAX];
  enum wscan_status got = wscan_parse(bytes, len, &m, err);
  if (got != want || strcmp(err, want_err) != 0) {
    fprintf(stderr, "%s: got %s \"%s\", want %s \"%s\"\n", label, status_name(got), err, status_name(want), want_err);
    failures++;
  }
  if (got == WSCAN_OK)
    wscan_free(&m);
}

#define EXPECT(label, want, msg, ...)                                                                                  \
  do {                                                                                                                 \
    static const uint8_t bytes_[] = {__VA_ARGS__};                                                                     \
    expect(label, bytes_, sizeof bytes_, want, msg);                                                                   \
  } while (0)

#define HEADER 0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00
/* type section (offsets 8..13): type 0 = () -> () */
#define TYPE_VOID 0x01, 0x04, 0x01, 0x60, 0x00, 0x00
/* function section (offsets 14..17): one function of type 0 */
#define ONE_FUNC 0x03, 0x02, 0x01, 0x00

/*
** A module with the given type section contents, one function of type 0
** and that function's body (locals + instructions + end). All sizes stay
** below 128 so every size is one LEB byte: the body's first byte (its
** locals count) is at 8 + (2 + types_len) + 4 + 2 + 1 + 1.
*/
static size_t one_function_module(uint8_t *out, const uint8_t *types, size_t types_len, const uint8_t *body,
                                  size_t body_len) {
  size_t n = 0;
  const uint8_t header[] = {HEADER};
  memcpy(out, header, 8), n = 8;
  out[n++] = 0x01, out[n++] = (uint8_t)types_len;
  memcpy(out + n, types, types_len), n += types_len;
  out[n++] = 0x03, out[n++] = 0x02, out[n++] = 0x01, out[n++] = 0x00;
  out[n++] = 0x0a, out[n++] = (uint8_t)(body_len + 2), out[n++] = 0x01, out[n++] = (uint8_t)body_len;
  memcpy(out + n, body, body_len), n += body_len;
  return n;
}

static size_t body_start(size_t types_len) { return 8 + 2 + types_len + 4 + 2 + 1 + 1; }

/* Type section contents: 0 = () -> (), 1 = (i32) -> (i32), 2 = () -> (i32 i32). */
static const uint8_t three_types[] = {0x03, 0x60, 0x00, 0x00, 0x60, 0x01, 0x7f, 0x01, 0x7f, 0x60, 0x00, 0x02, 0x7f, 0x7f};

static void expect_body(const char *label, const uint8_t *body, size_t body_len, enum wscan_status want,
                        const char *want_err_fmt) {
  uint8_t module[256];
  char want_err[WSCAN_ERR_MAX];
  size_t len = one_function_module(module, three_types, sizeof three_types, body, body_len);
  /* The message names the offset of the body's first instruction (after a
  ** one-byte locals count) plus a per-case delta, passed through %zu. */
  snprintf(want_err, sizeof want_err, want_err_fmt, body_start(sizeof three_types) + 1);
  expect(label, module, len, want, want_err);
}

#define EXPECT_BODY(label, want, fmt, ...)                                                                             \
  do {                                                                                                                 \
    static const uint8_t body_[] = {0x00, __VA_ARGS__};                                                                \
    expect_body(label, body_, sizeof body_, want, fmt);                                                                \
  } while (0)

static void test_header(void) {
  expect("empty", (const uint8_t *)"", 0, WSCAN_NOT_WASM, "not a WebAssembly module (no \\0asm magic)");
  EXPECT("3 bytes", WSCAN_NOT_WASM, "not a WebAssembly module (no \\0asm magic)", 0x00, 0x61, 0x73);
  EXPECT("ELF", WSCAN_NOT_WASM, "not a WebAssembly module (no \\0asm magic)", 0x7f, 'E', 'L', 'F', 1, 0, 0, 0);
  EXPECT("magic only", WSCAN_MALFORMED, "unexpected end of the header at offset 4", 0x00, 0x61, 0x73, 0x6d);
  EXPECT("version 2", WSCAN_NOT_WASM, "unknown binary version 0x02", 0x00, 0x61, 0x73, 0x6d, 0x02, 0, 0, 0);
  EXPECT("component", WSCAN_NOT_WASM, "binary version 0x0d layer 1 (a component?): only core modules are supported",
         0x00, 0x61, 0x73, 0x6d, 0x0d, 0x00, 0x01, 0x00);
  EXPECT("pre-release component", WSCAN_NOT_WASM, "unknown binary version 0x0d (a component?)", 0x00, 0x61, 0x73,
         0x6d, 0x0d, 0x00, 0x00, 0x00);
  EXPECT("empty module", WSCAN_OK, "", HEADER);
}

static void test_leb128(void) {
  /* memory section at 8: id, size, count (10), flags (11), min LEB at 12 */
  EXPECT("u32 non-minimal", WSCAN_OK, "", HEADER, 0x05, 0x07, 0x01, 0x00, 0x82, 0x80, 0x80, 0x80, 0x00);
  EXPECT("u32 too long", WSCAN_MALFORMED, "integer representation too long at offset 12", HEADER, 0x05, 0x08, 0x01,
         0x00, 0x82, 0x80, 0x80, 0x80, 0x80, 0x00);
  EXPECT("u32 unused bits", WSCAN_MALFORMED, "integer too large at offset 12", HEADER, 0x05, 0x07, 0x01, 0x00, 0x82,
         0x80, 0x80, 0x80, 0x10);
  EXPECT("u32 max", WSCAN_OK, "", HEADER, 0x05, 0x07, 0x01, 0x00, 0xff, 0xff, 0xff, 0xff, 0x0f);
  /* global section at 8: id, size, count (10), i32 (11), const (12), i32.const at 13, LEB at 14 */
  EXPECT("s32 min", WSCAN_OK, "", HEADER, 0x06, 0x0a, 0x01, 0x7f, 0x00, 0x41, 0x80, 0x80, 0x80, 0x80, 0x78, 0x0b);
  EXPECT("s32 -1 long", WSCAN_OK, "", HEADER, 0x06, 0x0a, 0x01, 0x7f, 0x00, 0x41, 0xff, 0xff, 0xff, 0xff, 0x7f, 0x0b);
  EXPECT("s32 unused bits", WSCAN_MALFORMED, "integer too large at offset 14", HEADER, 0x06, 0x0a, 0x01, 0x7f, 0x00,
         0x41, 0x80, 0x80, 0x80, 0x80, 0x08, 0x0b);
  EXPECT("s32 too long", WSCAN_MALFORMED, "integer representation too long at offset 14", HEADER, 0x06, 0x0b, 0x01,
         0x7f, 0x00, 0x41, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00, 0x0b);
  EXPECT("s64 -1", WSCAN_OK, "", HEADER, 0x06, 0x0f, 0x01, 0x7e, 0x00, 0x42, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
         0xff, 0xff, 0x7f, 0x0b);
  EXPECT("s64 unused bits", WSCAN_MALFORMED, "integer too large at offset 14", HEADER, 0x06, 0x0f, 0x01, 0x7e, 0x00,
         0x42, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01, 0x0b);
  EXPECT("truncated LEB", WSCAN_MALFORMED, "unexpected end of memory section at offset 14", HEADER, 0x05, 0x04, 0x01,
         0x00, 0x82, 0x80);
}

static void test_structure(void) {
  EXPECT("out of order", WSCAN_MALFORMED, "section 1 at offset 13 is out of order or duplicated", HEADER, 0x05, 0x03,
         0x01, 0x00, 0x01, TYPE_VOID);
  EXPECT("duplicate", WSCAN_MALFORMED, "section 1 at offset 14 is out of order or duplicated", HEADER, TYPE_VOID,
         TYPE_VOID);
  EXPECT("custom anywhere", WSCAN_OK, "", HEADER, 0x00, 0x02, 0x01, 'x', TYPE_VOID, 0x00, 0x02, 0x01, 'y');
  /* tag section (13) sits between memory (5) and global (6) */
  EXPECT("tag before global", WSCAN_OK, "", HEADER, TYPE_VOID, 0x0d, 0x03, 0x01, 0x00, 0x00, 0x06, 0x01, 0x00);
  EXPECT("tag after global", WSCAN_MALFORMED, "section 13 at offset 17 is out of order or duplicated", HEADER,
         TYPE_VOID, 0x06, 0x01, 0x00, 0x0d, 0x03, 0x01, 0x00, 0x00);
  EXPECT("data count after code", WSCAN_MALFORMED, "section 12 at offset 24 is out of order or duplicated", HEADER,
         TYPE_VOID, ONE_FUNC, 0x0a, 0x04, 0x01, 0x02, 0x00, 0x0b, 0x0c, 0x01, 0x00);
  EXPECT("unknown section", WSCAN_MALFORMED, "malformed section id 14 at offset 8", HEADER, 0x0e, 0x00);
  EXPECT("overrun", WSCAN_MALFORMED, "section 1 at offset 8 overruns the end of the module (size 16)", HEADER, 0x01,
         0x10, 0x01, 0x60, 0x00, 0x00);
  EXPECT("left over", WSCAN_MALFORMED, "section 1 at offset 8 has 1 bytes left over (section size mismatch)", HEADER,
         0x01, 0x05, 0x01, 0x60, 0x00, 0x00, 0x00);
  EXPECT("hostile count", WSCAN_MALFORMED, "count 4294967295 at offset 10 exceeds the 0 bytes left in the type section",
         HEADER, 0x01, 0x05, 0xff, 0xff, 0xff, 0xff, 0x0f);
  EXPECT("hostile params", WSCAN_MALFORMED, "count 268435456 at offset 12 exceeds the 0 bytes left in the type section",
         HEADER, 0x01, 0x07, 0x01, 0x60, 0x80, 0x80, 0x80, 0x80, 0x01);
  EXPECT("no code", WSCAN_MALFORMED, "1 functions declared but the module has no code section", HEADER, TYPE_VOID,
         ONE_FUNC);
  EXPECT("two bodies", WSCAN_MALFORMED, "code section at offset 20 has 2 bodies for 1 declared functions", HEADER,
         TYPE_VOID, ONE_FUNC, 0x0a, 0x07, 0x02, 0x02, 0x00, 0x0b, 0x02, 0x00, 0x0b);
  EXPECT("type index", WSCAN_MALFORMED, "type index 1 out of range at offset 17", HEADER, TYPE_VOID, 0x03, 0x02, 0x01,
         0x01);
  EXPECT("bad utf-8 name", WSCAN_MALFORMED, "malformed UTF-8 encoding in name at offset 10", HEADER, 0x00, 0x03, 0x02,
         0xc0, 0x80);
  /* body: size at 21, locals at 22, instructions from 23 */
  EXPECT("no end", WSCAN_MALFORMED, "unexpected end of function body at offset 25", HEADER, TYPE_VOID, ONE_FUNC, 0x0a,
         0x05, 0x01, 0x03, 0x00, 0x41, 0x01);
  EXPECT("after end", WSCAN_MALFORMED, "function body ends at offset 24, before its declared end 25", HEADER,
         TYPE_VOID, ONE_FUNC, 0x0a, 0x05, 0x01, 0x03, 0x00, 0x0b, 0x01);
  EXPECT("too many locals", WSCAN_MALFORMED, "too many locals in the function body at offset 22", HEADER, TYPE_VOID,
         ONE_FUNC, 0x0a, 0x10, 0x01, 0x0e, 0x02, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x7f, 0xff, 0xff, 0xff, 0xff, 0x0f,
         0x7e, 0x0b);
  /* data count (12) at 8..10, data section at 11: count at 13 */
  EXPECT("data count differs", WSCAN_MALFORMED, "data count 2 and data section count 1 at offset 13 differ", HEADER,
         0x0c, 0x01, 0x02, 0x0b, 0x04, 0x01, 0x01, 0x01, 0x00);
  EXPECT("data count, no data", WSCAN_MALFORMED, "data count 1 but no data section", HEADER, 0x0c, 0x01, 0x01);
  EXPECT("data count, no data, zero", WSCAN_OK, "", HEADER, 0x0c, 0x01, 0x00);
  /* memory.init without a data count: memory at 18..22, code at 23, body size at 26 */
  EXPECT("data count required", WSCAN_MALFORMED,
         "data count section required by memory.init / data.drop in the body at offset 26", HEADER, TYPE_VOID,
         ONE_FUNC, 0x05, 0x03, 0x01, 0x00, 0x01, 0x0a, 0x0e, 0x01, 0x0c, 0x00, 0x41, 0x00, 0x41, 0x00, 0x41, 0x00,
         0xfc, 0x08, 0x00, 0x00, 0x0b, 0x0b, 0x03, 0x01, 0x01, 0x00);
  EXPECT("memory.size byte", WSCAN_MALFORMED, "zero byte expected for the memory index at offset 29", HEADER,
         TYPE_VOID, ONE_FUNC, 0x05, 0x03, 0x01, 0x00, 0x01, 0x0a, 0x07, 0x01, 0x05, 0x00, 0x3f, 0x01, 0x1a, 0x0b);
  EXPECT("elem bad opcode", WSCAN_MALFORMED, "illegal opcode 0xf3 in constant expression at offset 20", HEADER,
         0x04, 0x04, 0x01, 0x70, 0x00, 0x00, 0x09, 0x07, 0x01, 0x05, 0x70, 0x01, 0xf3, 0x00, 0x0b);
}

/* A module that scans as OK and has these facts: the offset of its first
** block with parameters (0: none), and whether it is instrumented. */
static void expect_facts(const char *label, const uint8_t *bytes, size_t len, uint32_t block_params_at,
                         bool imports_wprof, bool has_functions_section) {
  struct wscan_module m;
  char err[WSCAN_ERR_MAX];
  enum wscan_status got = wscan_parse(bytes, len, &m, err);
  if (got != WSCAN_OK) {
    fprintf(stderr, "%s: got %s \"%s\", want OK\n", label, status_name(got), err);
    failures++;
    return;
  }
  if (m.block_params_at != block_params_at || m.imports_wprof != imports_wprof ||
      m.has_functions_section != has_functions_section) {
    fprintf(stderr, "%s: block_params_at %u imports_wprof %d has_functions_section %d, want %u %d %d\n", label,
            m.block_params_at, m.imports_wprof, m.has_functions_section, block_params_at, imports_wprof,
            has_functions_section);
    failures++;
  }
  wscan_free(&m);
}

/* A block with parameters is a fact the rewriter refuses (binaryen 108
** miscompiles them), not a scan failure: blocktype 1 = (i32) -> (i32) at the
** body's first instruction. */
#define EXPECT_BLOCK_PARAMS(label, ...)                                                                                  do {                                                                                                                     static const uint8_t body_[] = {0x00, __VA_ARGS__};                                                                    uint8_t module_[256];                                                                                                  size_t len_ = one_function_module(module_, three_types, sizeof three_types, body_, sizeof body_);                     expect_facts(label, module_, len_, (uint32_t)body_start(sizeof three_types) + 1, false, false);                     } while (0)

static void test_refusals(void) {
  EXPECT_BLOCK_PARAMS("block params", 0x02, 0x01, 0x0b, 0x0b);
  EXPECT_BLOCK_PARAMS("loop params", 0x03, 0x01, 0x0b, 0x0b);
  EXPECT_BLOCK_PARAMS("if params", 0x04, 0x01, 0x0b, 0x0b);
  EXPECT_BLOCK_PARAMS("try params", 0x06, 0x01, 0x0b, 0x0b);
  /* blocktype 2 = () -> (i32 i32): fine */
  EXPECT_BODY("block results", WSCAN_OK, "", 0x02, 0x02, 0x41, 0x01, 0x41, 0x02, 0x0b, 0x1a, 0x1a, 0x0b);
  EXPECT_BODY("block type range", WSCAN_MALFORMED, "block type index 3 out of range at offset 34", 0x02, 0x03, 0x0b,
              0x0b);
  EXPECT_BODY("try_table", WSCAN_UNSUPPORTED, "try_table at offset %zu (exnref exceptions are not supported)", 0x1f,
              0x40, 0x00, 0x0b, 0x0b);
  EXPECT_BODY("throw_ref", WSCAN_UNSUPPORTED, "throw_ref at offset %zu (exnref exceptions are not supported)", 0x0a,
              0x0b);
  EXPECT_BODY("call_ref", WSCAN_UNSUPPORTED, "call_ref at offset %zu (GC / function references are not supported)",
              0x14, 0x00, 0x0b);
  EXPECT_BODY("return_call_ref", WSCAN_UNSUPPORTED,
              "return_call_ref at offset %zu (GC / function references are not supported)", 0x15, 0x00, 0x0b);
  EXPECT_BODY("ref.as_non_null", WSCAN_UNSUPPORTED,
              "ref.as_non_null at offset %zu (GC / function references are not supported)", 0xd4, 0x0b);
  EXPECT_BODY("br_on_null", WSCAN_UNSUPPORTED,
              "br_on_null at offset %zu (GC / function references are not supported)", 0xd5, 0x00, 0x0b);
  EXPECT_BODY("br_on_non_null", WSCAN_UNSUPPORTED,
              "br_on_non_null at offset %zu (GC / function references are not supported)", 0xd6, 0x00, 0x0b);
  EXPECT_BODY("0xfb", WSCAN_UNSUPPORTED,
              "GC instruction 0xfb at offset %zu (GC / function references are not supported)", 0xfb, 0x00, 0x0b);
  EXPECT_BODY("relaxed first", WSCAN_UNSUPPORTED,
              "relaxed SIMD instruction 0xfd 256 at offset %zu (relaxed SIMD is not supported)", 0xfd, 0x80, 0x02,
              0x0b);
  EXPECT_BODY("relaxed last", WSCAN_UNSUPPORTED,
              "relaxed SIMD instruction 0xfd 275 at offset %zu (relaxed SIMD is not supported)", 0xfd, 0x93, 0x02,
              0x0b);
  EXPECT_BODY("simd past relaxed", WSCAN_UNSUPPORTED, "unknown instruction 0xfd 276 at offset %zu", 0xfd, 0x94, 0x02,
              0x0b);
  EXPECT_BODY("simd hole", WSCAN_UNSUPPORTED, "unknown instruction 0xfd 154 at offset %zu", 0xfd, 0x9a, 0x01, 0x0b);
  EXPECT_BODY("unknown op", WSCAN_UNSUPPORTED, "unknown instruction 0xc5 at offset %zu", 0xc5, 0x0b);
  EXPECT_BODY("unknown 0xfc", WSCAN_UNSUPPORTED, "unknown instruction 0xfc 18 at offset %zu", 0xfc, 0x12, 0x0b);
  EXPECT_BODY("unknown 0xfe", WSCAN_UNSUPPORTED, "unknown instruction 0xfe 4 at offset %zu", 0xfe, 0x04, 0x0b);
  EXPECT_BODY("fence byte", WSCAN_MALFORMED, "atomic.fence without its zero byte at offset 35", 0xfe, 0x03, 0x01, 0x0b);
  EXPECT_BODY("delegate outside try", WSCAN_MALFORMED, "delegate outside a try at offset %zu", 0x18, 0x00, 0x0b);
  EXPECT_BODY("ref.null typed", WSCAN_UNSUPPORTED,
              "ref.null of a type index at offset 34 (function references are not supported)", 0xd0, 0x00, 0x1a,
              0x0b);
  /* types at 8: id, size, count 10, form 11, param count 12, param type 13 */
  EXPECT("exnref", WSCAN_UNSUPPORTED,
         "exnref type 0x69 at offset 13 (exception handling with exnref is not supported)", HEADER, 0x01, 0x05, 0x01,
         0x60, 0x01, 0x69, 0x00);
  EXPECT("ref null ht", WSCAN_UNSUPPORTED,
         "typed reference type 0x63 at offset 13 (GC / function references are not supported)", HEADER, 0x01, 0x06,
         0x01, 0x60, 0x01, 0x63, 0x70, 0x00);
  EXPECT("anyref", WSCAN_UNSUPPORTED, "GC reference type 0x6e at offset 13 (GC is not supported)", HEADER, 0x01, 0x05,
         0x01, 0x60, 0x01, 0x6e, 0x00);
  EXPECT("struct", WSCAN_UNSUPPORTED, "GC type form 0x5f at offset 11 (GC is not supported)", HEADER, 0x01, 0x03,
         0x01, 0x5f, 0x00);
  EXPECT("rec group", WSCAN_UNSUPPORTED, "GC type form 0x4e at offset 11 (GC is not supported)", HEADER, 0x01, 0x03,
         0x01, 0x4e, 0x00);
  EXPECT("unknown type form", WSCAN_UNSUPPORTED, "unknown type form 0x61 at offset 11", HEADER, 0x01, 0x04, 0x01, 0x61,
         0x00, 0x00);
  EXPECT("malformed type form", WSCAN_MALFORMED, "malformed type form 0xe0 at offset 11", HEADER, 0x01, 0x05, 0x01,
         0xe0, 0x7f, 0x00, 0x00);
  EXPECT("unknown value type", WSCAN_UNSUPPORTED, "unknown value type 0x75 at offset 13", HEADER, 0x01, 0x05, 0x01,
         0x60, 0x01, 0x75, 0x00);
  EXPECT("malformed value type", WSCAN_MALFORMED, "malformed value type 0x05 at offset 13", HEADER, 0x01, 0x05, 0x01,
         0x60, 0x01, 0x05, 0x00);
  /* memory / table limits: section at 8, count 10, flags 11 */
  EXPECT("memory64", WSCAN_UNSUPPORTED, "64-bit memory at offset 11 (memory64 / table64 is not supported)", HEADER,
         0x05, 0x03, 0x01, 0x04, 0x01);
  EXPECT("table64", WSCAN_UNSUPPORTED, "64-bit table at offset 12 (memory64 / table64 is not supported)", HEADER,
         0x04, 0x04, 0x01, 0x70, 0x04, 0x01);
  EXPECT("shared without max", WSCAN_MALFORMED, "malformed limits flags 0x02 at offset 11", HEADER, 0x05, 0x03, 0x01,
         0x02, 0x01);
  EXPECT("two memories", WSCAN_UNSUPPORTED, "second memory at offset 13 (multi-memory is not supported)", HEADER,
         0x05, 0x05, 0x02, 0x00, 0x01, 0x00, 0x01);
  EXPECT("multi-memory memarg", WSCAN_UNSUPPORTED,
         "memory access with a memory index at offset 31 (multi-memory is not supported)", HEADER, TYPE_VOID, ONE_FUNC,
         0x05, 0x03, 0x01, 0x00, 0x01, 0x0a, 0x0b, 0x01, 0x09, 0x00, 0x41, 0x00, 0x28, 0x42, 0x00, 0x00, 0x1a, 0x0b);
  /* custom section at 8: size 9, name length 10, name 11.. */
  static const uint8_t wprof_section[] = {HEADER, 0x00, 0x10, 0x0f, 'w', 'p', 'r', 'o', 'f', '.',
                                          'f',    'u',  'n',  'c',  't', 'i', 'o', 'n', 's'};
  expect_facts("wprof section", wprof_section, sizeof wprof_section, 0, false, true);
}

static uint8_t *load(const char *name, size_t *len) {
  char path[4096];
  snprintf(path, sizeof path, "%s/%s", module_dir, name);
  FILE *f = fopen(path, "rb");
  uint8_t *buf = NULL;
  long size = -1;
  if (f && fseek(f, 0, SEEK_END) == 0 && (size = ftell(f)) > 0 && fseek(f, 0, SEEK_SET) == 0 &&
      (buf = malloc((size_t)size)) && fread(buf, 1, (size_t)size, f) == (size_t)size) {
    fclose(f);
    *len = (size_t)size;
    return buf;
  }
  fprintf(stderr, "cannot read %s\n", path);
  exit(2);
}

/* Parses a built module, which must succeed; the caller frees with wscan_free. */
static void parse_file(const char *name, struct wscan_module *m) {
  size_t len;
  char err[WSCAN_ERR_MAX];
  uint8_t *bytes = load(name, &len);
  enum wscan_status st = wscan_parse(bytes, len, m, err);
  if (st != WSCAN_OK) {
    fprintf(stderr, "%s: %s %s\n", name, status_name(st), err);
    failures++;
  }
  free(bytes);
}

static void expect_file(const char *name, enum wscan_status want, const char *want_err) {
  size_t len;
  uint8_t *bytes = load(name, &len);
  expect(name, bytes, len, want, want_err);
  free(bytes);
}

static void test_features(void) {
  static const struct {
    const char *file;
    uint32_t features;
  } cases[] = {
      {"feat-none.wasm", 0},
      {"feat-signext.wasm", WSCAN_FEAT_SIGN_EXT},
      {"feat-sat.wasm", WSCAN_FEAT_SAT_FLOAT_TO_INT},
      {"feat-bulk.wasm", WSCAN_FEAT_BULK_MEMORY},
      {"feat-reftypes.wasm", WSCAN_FEAT_REFERENCE_TYPES},
      {"feat-multivalue.wasm", WSCAN_FEAT_MULTI_VALUE},
      {"feat-multivalue-block.wasm", WSCAN_FEAT_MULTI_VALUE},
      {"feat-simd.wasm", WSCAN_FEAT_SIMD},
      {"exceptions.wasm", WSCAN_FEAT_EXCEPTIONS},
      {"tailcall.wasm", WSCAN_FEAT_TAIL_CALL},
      {"feat-threads.wasm", WSCAN_FEAT_THREADS},
      {"feat-mutglobal-import.wasm", WSCAN_FEAT_MUTABLE_GLOBALS},
      {"feat-mutglobal-export.wasm", WSCAN_FEAT_MUTABLE_GLOBALS},
      {"feat-extconst.wasm", WSCAN_FEAT_EXTENDED_CONST},
      {"prog-c.wasm", 0},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    struct wscan_module m;
    parse_file(cases[i].file, &m);
    if (m.features != cases[i].features) {
      fprintf(stderr, "%s: features 0x%x, want 0x%x\n", cases[i].file, m.features, cases[i].features);
      failures++;
    }
    wscan_free(&m);
  }
}

static void test_basic_module(void) {
  struct wscan_module m;
  parse_file("basic.wasm", &m);
  CHECK(m.num_imports == 3 && m.num_imported_funcs == 1 && m.num_funcs == 5 && m.num_exports == 3);
  CHECK(m.num_memories == 1 && m.num_tables == 0 && m.has_start && m.has_name_section && !m.has_dwarf);
  CHECK(m.num_imports == 3 && strcmp(m.imports[0].module, "env") == 0 && strcmp(m.imports[0].name, "log") == 0);
  CHECK(m.imports[1].kind == WSCAN_GLOBAL && m.imports[2].kind == WSCAN_MEMORY && m.imports[2].has_max);
  CHECK(m.num_exports == 3 && strcmp(m.exports[1].name, "second_export") == 0 && m.exports[1].index == 1);
  if (m.num_funcs == 5) {
    static const char *const names[] = {"first", "anon_exported", NULL, "named_internal", "init"};
    static const uint32_t sizes[] = {4, 4, 6, 8, 2}; /* locals + instructions + end, counted from basic.wat */
    for (uint32_t i = 0; i < 5; i++) {
      const struct wscan_func *f = &m.funcs[i];
      CHECK(f->func_index == i + 1 && f->body_size == sizes[i] && !f->has_catch && !f->has_tail_call);
      CHECK(names[i] ? f->name && strcmp(f->name, names[i]) == 0 : f->name == NULL);
      if (i > 0) /* one size byte, then the previous body */
        CHECK(f->code_offset == m.funcs[i - 1].code_offset + 1 + m.funcs[i - 1].body_size);
    }
    const struct wscan_type *t = &m.types[m.funcs[3].type_index];
    CHECK(t->num_params == 1 && t->params[0] == 0x7e && t->num_results == 1 && t->results[0] == 0x7e);
  }
  CHECK(m.num_customs == 1 && strcmp(m.customs[0].name, "name") == 0);
  wscan_free(&m);
}

static void check_flags(const char *file, const bool *catches, const bool *tails, uint32_t n) {
  struct wscan_module m;
  parse_file(file, &m);
  CHECK(m.num_funcs == n);
  for (uint32_t i = 0; i < n && i < m.num_funcs; i++) {
    if (m.funcs[i].has_catch != catches[i] || m.funcs[i].has_tail_call != tails[i]) {
      fprintf(stderr, "%s: func %u catch %d tail %d\n", file, i, m.funcs[i].has_catch, m.funcs[i].has_tail_call);
      failures++;
    }
  }
  wscan_free(&m);
}

static void test_flags(void) {
  /* thrower, catcher, catch_all_only, rethrower, delegator, plain */
  static const bool catches[] = {false, true, true, true, true, false}, no6[6] = {false};
  /* callee, direct, indirect, normal */
  static const bool tails[] = {false, true, true, false}, no4[4] = {false};
  check_flags("exceptions.wasm", catches, no6, 6);
  check_flags("tailcall.wasm", no4, tails, 4);
}

static void test_refusal_files(void) {
  /* local.get 0 (2 bytes) then the block: body at 26, locals 00 */
  size_t len;
  uint8_t *bytes = load("refuse-block-params.wasm", &len);
  expect_facts("refuse-block-params.wasm", bytes, len, 27, false, false);
  free(bytes);
  expect_file("refuse-memory64.wasm", WSCAN_UNSUPPORTED,
              "64-bit memory at offset 11 (memory64 / table64 is not supported)");
  expect_file("refuse-multi-memory.wasm", WSCAN_UNSUPPORTED,
              "second memory at offset 13 (multi-memory is not supported)");
  expect_file("refuse-relaxed-simd.wasm", WSCAN_UNSUPPORTED,
              "relaxed SIMD instruction 0xfd 257 at offset 27 (relaxed SIMD is not supported)");
  bytes = load("refuse-instrumented.wasm", &len);
  expect_facts("refuse-instrumented.wasm", bytes, len, 0, true, false);
  free(bytes);
}

/*
** Names: two functions, exported as "e0" and "e1"; a name section names
** function 1 "n1". Layout: type 8..13, function 14..18, export 19..31,
** code 32..40, name custom section from 41 (its size byte at 42).
*/
static void test_names(void) {
  static const uint8_t good_names[] = {
      HEADER, TYPE_VOID, 0x03, 0x03, 0x02, 0x00, 0x00, 0x07, 0x0b, 0x02, 0x02, 'e', '0', 0x00, 0x00, 0x02, 'e', '1',
      0x00, 0x01, 0x0a, 0x07, 0x02, 0x02, 0x00, 0x0b, 0x02, 0x00, 0x0b,
      /* "name": subsection 1 (size 6): 1 entry, index 1, "n1" */
      0x00, 0x0c, 0x04, 'n', 'a', 'm', 'e', 0x01, 0x05, 0x01, 0x01, 0x02, 'n', '1', 0x00};
  struct wscan_module m;
  char err[WSCAN_ERR_MAX];
  /* without its last byte; that byte, 0x00, is used below as a subsection lacking its size */
  CHECK(wscan_parse(good_names, sizeof good_names - 1, &m, err) == WSCAN_OK);
  CHECK(m.num_funcs == 2 && m.has_name_section && m.num_customs == 1 && m.customs[0].offset == 41 &&
        m.customs[0].size == 14);
  if (m.num_funcs == 2)
    CHECK(strcmp(m.funcs[0].name, "e0") == 0 && strcmp(m.funcs[1].name, "n1") == 0);
  wscan_free(&m);

  /* A name section with a truncated subsection is ignored, not fatal. */
  uint8_t bad[sizeof good_names];
  memcpy(bad, good_names, sizeof bad);
  bad[42] = 0x0d; /* the custom section now includes the trailing byte: a subsection without a size */
  CHECK(wscan_parse(bad, sizeof bad, &m, err) == WSCAN_OK);
  CHECK(m.num_funcs == 2 && !m.has_name_section && m.num_customs == 1);
  if (m.num_funcs == 2)
    CHECK(strcmp(m.funcs[0].name, "e0") == 0 && strcmp(m.funcs[1].name, "e1") == 0);
  wscan_free(&m);

  /* Invalid UTF-8 in a function name: the name section is ignored too. */
  memcpy(bad, good_names, sizeof bad);
  bad[sizeof bad - 3] = 0xff;
  CHECK(wscan_parse(bad, sizeof bad - 1, &m, err) == WSCAN_OK);
  CHECK(m.num_funcs == 2 && !m.has_name_section);
  if (m.num_funcs == 2)
    CHECK(strcmp(m.funcs[1].name, "e1") == 0);
  wscan_free(&m);

  /* Custom sections: offset of the id byte and whole size; .debug_* sets has_dwarf. */
  static const uint8_t customs[] = {HEADER, 0x00, 0x03, 0x01, 'x', 0x07, 0x00, 0x08, 0x07, '.', 'd', 'e', 'b', 'u',
                                    'g', '_'};
  CHECK(wscan_parse(customs, sizeof customs, &m, err) == WSCAN_OK);
  CHECK(m.num_customs == 2 && m.has_dwarf && !m.has_name_section);
  if (m.num_customs == 2)
    CHECK(strcmp(m.customs[0].name, "x") == 0 && m.customs[0].offset == 8 && m.customs[0].size == 5 &&
          strcmp(m.customs[1].name, ".debug_") == 0 && m.customs[1].offset == 13 && m.customs[1].size == 10);
  wscan_free(&m);
}

/* Whether a prefix of a well-formed module ends exactly between two
** sections (walking only the section headers: id byte, size LEB). */
static bool section_boundary(const uint8_t *bytes, size_t cut) {
  size_t pos = 8;
  while (pos < cut) {
    size_t size = 0, i = pos + 1;
    for (unsigned shift = 0; bytes[i] & 0x80; i++, shift += 7)
      size |= (size_t)(bytes[i] & 0x7f) << shift;
    size |= (size_t)bytes[i] << (7 * (i - pos - 1));
    pos = i + 1 + size;
  }
  return pos == cut;
}

/* Every prefix of a real module is refused (never a crash) unless it stops
** between two sections, where it may be a smaller valid module; every
** single-byte corruption is scanned without a crash. */
/* wscan_parse_sections: the same sections and body offsets as wscan_parse
** on a real module, and a body that does not decode goes unnoticed while a
** body that overruns its section does not. */
static void test_sections_only(void) {
  size_t len;
  uint8_t *bytes = load("prog-c.wasm", &len);
  struct wscan_module full, outline;
  char err[WSCAN_ERR_MAX];
  CHECK(wscan_parse(bytes, len, &full, err) == WSCAN_OK);
  CHECK(wscan_parse_sections(bytes, len, &outline, err) == WSCAN_OK);
  CHECK(outline.num_funcs == full.num_funcs && outline.num_customs == full.num_customs && outline.num_customs > 0);
  CHECK(outline.num_imports == full.num_imports && outline.num_exports == full.num_exports);
  CHECK(outline.has_dwarf == full.has_dwarf && outline.code_payload_offset == full.code_payload_offset);
  for (uint32_t i = 0; i < full.num_funcs && i < outline.num_funcs; i++) {
    const struct wscan_func *a = &full.funcs[i], *b = &outline.funcs[i];
    CHECK(a->code_offset == b->code_offset && a->body_offset == b->body_offset && a->body_size == b->body_size);
    CHECK(a->name ? b->name && strcmp(a->name, b->name) == 0 : !b->name);
    CHECK(b->instructions == 0);
  }
  for (uint32_t i = 0; i < full.num_customs && i < outline.num_customs; i++)
    CHECK(strcmp(full.customs[i].name, outline.customs[i].name) == 0 &&
          full.customs[i].payload_offset == outline.customs[i].payload_offset);
  wscan_free(&full);
  wscan_free(&outline);
  free(bytes);

  static const uint8_t bad_body[] = {0x00, 0xff, 0x0b}; /* no locals, an unknown opcode, end */
  uint8_t module[64];
  len = one_function_module(module, three_types, sizeof three_types, bad_body, sizeof bad_body);
  CHECK(wscan_parse(module, len, &full, err) == WSCAN_UNSUPPORTED);
  CHECK(wscan_parse_sections(module, len, &outline, err) == WSCAN_OK && outline.num_funcs == 1 &&
        outline.funcs[0].body_size == sizeof bad_body);
  wscan_free(&outline);
  module[body_start(sizeof three_types) - 1] = sizeof bad_body + 1; /* the body now overruns the section */
  CHECK(wscan_parse_sections(module, len, &outline, err) == WSCAN_MALFORMED);
}

static void test_truncation_and_corruption(void) {
  size_t len;
  uint8_t *bytes = load("prog-c-nodebug.wasm", &len);
  struct wscan_module m;
  char err[WSCAN_ERR_MAX];
  size_t bad = 0;
  for (size_t cut = 0; cut < len; cut++) {
    uint8_t *prefix = malloc(cut ? cut : 1); /* exact-size copy so ASan sees any overread */
    memcpy(prefix, bytes, cut);
    enum wscan_status st = wscan_parse(prefix, cut, &m, err);
    bool may_be_valid = cut >= 8 && section_boundary(bytes, cut);
    if (st != (cut < 4 ? WSCAN_NOT_WASM : WSCAN_MALFORMED) && !(may_be_valid && st == WSCAN_OK)) {
      if (bad++ < 5)
        fprintf(stderr, "prefix of %zu bytes: %s %s\n", cut, status_name(st), err);
    }
    if (st == WSCAN_OK)
      wscan_free(&m);
    free(prefix);
  }
  CHECK(bad == 0);
  for (size_t i = 0; i < len; i++) {
    uint8_t saved = bytes[i];
    bytes[i] ^= (uint8_t)(0x5a + i);
    if (wscan_parse(bytes, len, &m, err) == WSCAN_OK)
      wscan_free(&m);
    bytes[i] = saved;
  }
  CHECK(wscan_parse(bytes, len, &m, err) == WSCAN_OK);
  wscan_free(&m);
  free(bytes);
}

/* An unsigned LEB128 padded to 4 bytes (valid: at most 5 are allowed). */
static uint8_t *put_leb4(uint8_t *w, size_t v) {
  for (int i = 0; i < 4; i++, v >>= 7)
    *w++ = (uint8_t)((v & 0x7f) | (i < 3 ? 0x80 : 0));
  return w;
}

/* A 20 MB module: 200000 functions of ~100 bytes of mixed instructions. */
static void test_speed(void) {
  enum { FUNCS = 200000, REPEAT = 12 };
  static const uint8_t chunk[] = {0x41, 0x01, 0x41, 0x02, 0x6a, 0x28, 0x02, 0x04, 0x1a}; /* 9 bytes */
  const size_t body = 1 + REPEAT * sizeof chunk + 1;                                         /* 110 bytes */
  const size_t code_len = 4 + (size_t)FUNCS * (1 + body);
  uint8_t *p = malloc(64 + FUNCS + code_len), *w = p;
  const uint8_t prefix[] = {HEADER, TYPE_VOID}, memory[] = {0x05, 0x03, 0x01, 0x00, 0x01};
  memcpy(w, prefix, sizeof prefix), w += sizeof prefix;
  *w++ = 0x03;
  w = put_leb4(w, 4 + FUNCS); /* function section: count, then a type index per function */
  w = put_leb4(w, FUNCS);
  memset(w, 0, FUNCS), w += FUNCS;
  memcpy(w, memory, sizeof memory), w += sizeof memory;
  *w++ = 0x0a;
  w = put_leb4(w, code_len);
  w = put_leb4(w, FUNCS);
  for (size_t f = 0; f < FUNCS; f++) {
    *w++ = (uint8_t)body, *w++ = 0x00;
    for (int r = 0; r < REPEAT; r++)
      memcpy(w, chunk, sizeof chunk), w += sizeof chunk;
    *w++ = 0x0b;
  }
  struct wscan_module m;
  char err[WSCAN_ERR_MAX];
  struct timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  enum wscan_status st = wscan_parse(p, (size_t)(w - p), &m, err);
  clock_gettime(CLOCK_MONOTONIC, &t1);
  double seconds = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
  printf("scanned %.1f MB in %.3f s\n", (double)(w - p) / 1e6, seconds);
  CHECK(st == WSCAN_OK);
  if (st == WSCAN_OK) {
    CHECK(m.num_funcs == FUNCS && m.funcs[FUNCS - 1].body_size == body);
    wscan_free(&m);
  } else {
    fprintf(stderr, "speed module: %s\n", err);
  }
#if defined(__SANITIZE_ADDRESS__)
  CHECK(seconds < 10.0);
#else
  CHECK(seconds < 1.0);
#endif
  free(p);
}

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: scan-test MODULE_DIR\n");
    return 2;
  }
  module_dir = argv[1];
  test_header();
  test_leb128();
  test_structure();
  test_refusals();
  test_features();
  test_basic_module();
  test_flags();
  test_refusal_files();
  test_names();
  test_sections_only();
  test_truncation_and_corruption();
  test_speed();
  if (failures) {
    fprintf(stderr, "%d failures\n", failures);
    return 1;
  }
  printf("all scan tests passed\n");
  return 0;
}
