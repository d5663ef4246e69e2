/*
** dwarf-fuzz: libFuzzer target for the DWARF reading of wasm-instrument
** (rewriter/dwarf-sources.c, on libdwarf). The input is a wasm module;
** whatever its DWARF sections hold, reading them must end in source
** locations or in one error line, never in a crash, a leak or a hang.
** fuzz/dwarf/run.sh builds and runs it; the corpus starts from the
** DWARF-carrying modules that run.sh compiles.
*/
#include <stdlib.h>
#include <string.h>

#include "dwarf-sources.h"
#include "wasm-scan.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  struct wscan_module m;
  char err[WSCAN_ERR_MAX];
  if (wscan_parse(data, size, &m, err) != WSCAN_OK) return 0;
  struct source_table t = {0};
  char why[256];
  if (dwarf_sources_read(data, size, &m, &t, why, sizeof why) != 0 && (!why[0] || strchr(why, '\n'))) abort();
  for (uint32_t i = 0; i < t.nfuncs; i++)
    if (t.file[i] != SOURCE_NO_FILE && t.file[i] >= t.nfiles) abort();
  source_table_free(&t);
  wscan_free(&m);
  return 0;
}
