/*
** Build tool: turns the ```sql blocks of docs/schema.md into a C string
** (wprof-schema.h), so the database libwprof creates is the documented
** schema, character for character, and the version in the page's title
** ("# wprof database schema, version N") into WPROF_SCHEMA_VERSION, the one
** definition the recorder and the analyzer share. Define
** WPROF_SCHEMA_VERSION_ONLY before including it to get the version alone.
**   schema-embed docs/schema.md out.h
*/
#include <stdio.h>
#include <string.h>

#define TITLE "# wprof database schema, version "

int main(int argc, char **argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: schema-embed SCHEMA.md OUT.h\n");
    return 2;
  }
  FILE *in = fopen(argv[1], "r");
  if (!in) {
    perror(argv[1]);
    return 1;
  }
  FILE *out = fopen(argv[2], "w");
  if (!out) {
    perror(argv[2]);
    fclose(in);
    return 1;
  }
  char line[4096];
  int version = 0;
  if (!fgets(line, sizeof line, in) || strncmp(line, TITLE, strlen(TITLE)) != 0 ||
      sscanf(line + strlen(TITLE), "%d", &version) != 1 || version < 1) {
    fprintf(stderr, "schema-embed: %s does not start with '%sN'\n", argv[1], TITLE);
    fclose(in);
    fclose(out);
    remove(argv[2]);
    return 1;
  }
  fprintf(out,
          "/* Generated from %s by schema-embed: do not edit. */\n"
          "#define WPROF_SCHEMA_VERSION %d\n#ifndef WPROF_SCHEMA_VERSION_ONLY\n"
          "static const char wprof_schema_sql[] =\n",
          argv[1], version);
  int in_sql = 0, blocks = 0;
  while (fgets(line, sizeof line, in)) {
    if (strncmp(line, "```", 3) == 0) {
      in_sql = !in_sql && strncmp(line, "```sql", 6) == 0;
      blocks += in_sql;
      continue;
    }
    if (!in_sql) continue;
    line[strcspn(line, "\n")] = '\0';
    fputs("  \"", out);
    for (const char *c = line; *c; c++) {
      if (*c == '"' || *c == '\\') fputc('\\', out);
      fputc(*c, out);
    }
    fputs("\\n\"\n", out);
  }
  fputs("  ;\n#endif\n", out);
  fclose(in);
  if (fclose(out) != 0 || blocks == 0) {
    fprintf(stderr, "schema-embed: no sql block written from %s\n", argv[1]);
    remove(argv[2]);
    return 1;
  }
  return 0;
}
