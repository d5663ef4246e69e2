/* `wprof export --format folded`: one `main;compute;fib VALUE` line per call
 * path, the input of flame graph tools (flamegraph.pl, speedscope, inferno).
 * VALUE is the path's self time in ns, or its calls with --value calls;
 * paths whose value is 0 are left out. Lines are in call path id order. */
#include <stdlib.h>

#include "cct.h"
#include "export.h"
#include "util.h"

int export_folded(struct wprof_db *db, const struct export_options *o, FILE *out)
{
  struct wprof_cct cct;
  if (wprof_cct_load(db, &cct))
    return -1;
  int32_t max_depth = 0;
  for (int32_t i = 0; i < cct.npaths; i++)
    if (cct.paths[i].depth > max_depth)
      max_depth = cct.paths[i].depth;
  int32_t *frames = wprof_xmalloc(sizeof(int32_t) * (size_t)(max_depth + 1));
  for (int32_t i = 0; i < cct.npaths; i++) {
    const struct wprof_cct_path *p = &cct.paths[i];
    int64_t value = o->value_calls ? p->calls : p->self_ns;
    if (value == 0)
      continue;
    int32_t n = 0;
    for (int32_t f = i; f >= 0; f = cct.paths[f].parent)
      frames[n++] = cct.paths[f].function;
    while (n-- > 0) {
      char *name = wprof_escaped(cct.functions[frames[n]].name, ";"); /* ';' separates frames */
      fputs(name, out);
      free(name);
      putc(n ? ';' : ' ', out);
    }
    fprintf(out, "%lld\n", (long long)value);
  }
  free(frames);
  wprof_cct_free(&cct);
  return 0;
}
