/*
** Which wasm function each byte of a compiled module's code belongs to, for
** sampled time (libwprof's wprof_set_code_ranges). cc's symbol table in the
** shared object names each function it compiled out of line as wasm2c named
** it, its clones with a suffix (w2c_NAME.part.0, .isra.0, .constprop.0,
** .cold); the module's entry table lists those names in wasm index order.
** Functions cc inlined everywhere have no code of their own: their
** instructions are their callers'.
*/
#define _GNU_SOURCE
#include "host.h"

#include <dlfcn.h>
#include <elf.h>
#include <fcntl.h>
#include <link.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "module-entry.h"
#include "xalloc.h"

struct named {
  const char *name;
  size_t len;
  uint32_t index;
};

static int compare_names(const char *a, size_t alen, const char *b, size_t blen) {
  int c = memcmp(a, b, alen < blen ? alen : blen);
  return c ? c : (alen > blen) - (alen < blen);
}

static int compare_named(const void *a, const void *b) {
  const struct named *x = a, *y = b;
  return compare_names(x->name, x->len, y->name, y->len);
}

/* The symbols of one SHT_SYMTAB section whose names are in names[], as
** ranges loaded at bias, by defined-function index; returns how many were
** added to *out. */
static size_t symtab_ranges(const ElfW(Sym) *syms, size_t nsyms, const char *strtab, size_t strtab_len,
                            const struct named *names, size_t nnames, uintptr_t bias, struct wprof_code_range *out) {
  size_t n = 0;
  for (size_t i = 0; i < nsyms; i++) {
    const ElfW(Sym) *s = &syms[i];
    if (ELF64_ST_TYPE(s->st_info) != STT_FUNC || s->st_shndx == SHN_UNDEF || s->st_size == 0 ||
        s->st_name >= strtab_len)
      continue;
    const char *name = strtab + s->st_name;
    const char *nul = memchr(name, '\0', strtab_len - s->st_name);
    if (!nul || strncmp(name, "w2c_", 4) != 0) continue;
    const char *dot = memchr(name, '.', (size_t)(nul - name)); /* a clone's suffix */
    struct named key = {name, (size_t)((dot ? dot : nul) - name), 0};
    const struct named *hit = bsearch(&key, names, nnames, sizeof *names, compare_named);
    if (hit) out[n++] = (struct wprof_code_range){bias + s->st_value, bias + s->st_value + s->st_size, hit->index};
  }
  return n;
}

size_t wprof_host_code_ranges(void *so, const char *so_path, const struct wprof_module_entry *entry,
                              struct wprof_code_range **out) {
  *out = NULL;
  struct link_map *map = NULL;
  if (entry->nfunctions == 0 || dlinfo(so, RTLD_DI_LINKMAP, &map) != 0 || !map) return 0;
  int fd = open(so_path, O_RDONLY | O_CLOEXEC);
  struct stat st;
  if (fd < 0) return 0;
  void *file = fstat(fd, &st) == 0 && (size_t)st.st_size >= sizeof(ElfW(Ehdr))
                   ? mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0)
                   : MAP_FAILED;
  close(fd);
  if (file == MAP_FAILED) return 0;
  size_t size = (size_t)st.st_size, n = 0;
  const ElfW(Ehdr) *eh = file;
  if (memcmp(eh->e_ident, ELFMAG, SELFMAG) != 0 || eh->e_shentsize != sizeof(ElfW(Shdr)) ||
      eh->e_shoff > size || eh->e_shnum > (size - eh->e_shoff) / sizeof(ElfW(Shdr)))
    goto done;
  const ElfW(Shdr) *sections = (const void *)((const char *)file + eh->e_shoff);
  struct named *names = wprof_xmalloc(entry->nfunctions * sizeof *names);
  for (uint32_t i = 0; i < entry->nfunctions; i++)
    names[i] = (struct named){entry->function_names[i], strlen(entry->function_names[i]), i};
  qsort(names, entry->nfunctions, sizeof *names, compare_named);
  for (unsigned i = 0; i < eh->e_shnum; i++) {
    const ElfW(Shdr) *sym = &sections[i];
    if (sym->sh_type != SHT_SYMTAB || sym->sh_link >= eh->e_shnum) continue;
    const ElfW(Shdr) *str = &sections[sym->sh_link];
    if (sym->sh_offset > size || sym->sh_size > size - sym->sh_offset || str->sh_offset > size ||
        str->sh_size > size - str->sh_offset)
      continue;
    size_t nsyms = sym->sh_size / sizeof(ElfW(Sym));
    *out = wprof_xrealloc(*out, (n + nsyms) * sizeof **out);
    n += symtab_ranges((const void *)((const char *)file + sym->sh_offset), nsyms,
                       (const char *)file + str->sh_offset, str->sh_size, names, entry->nfunctions,
                       (uintptr_t)map->l_addr, *out + n);
  }
  free(names);
done:
  munmap(file, size);
  return n;
}
