/* Table rendering for the analyzer (see table.h): one model, three printers.
 * Text alignment counts UTF-8 code points so "µs" lines up. */
#include "table.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "units.h"
#include "util.h"

enum cell_kind { CELL_INT, CELL_STRING, CELL_NULL };

struct cell {
  char *text;   /* shown by the text printer */
  char *string; /* CELL_STRING value, NULL when equal to text */
  enum cell_kind kind;
  int64_t value;
};

struct column {
  const char *key, *title;
  enum wprof_align align;
  enum wprof_column_shown shown;
};

struct wprof_table {
  struct column *columns;
  int ncolumns;
  struct cell *cells; /* rows * ncolumns */
  int nrows, ncells, cap_cells;
};

int wprof_format_parse(const char *name, enum wprof_format *out)
{
  static const char *const names[] = {"text", "csv", "json"};
  for (int i = 0; i < 3; i++)
    if (strcmp(name, names[i]) == 0) {
      *out = (enum wprof_format)i;
      return 0;
    }
  return -1;
}

struct wprof_table *wprof_table_new(void)
{
  return wprof_xcalloc(1, sizeof(struct wprof_table));
}

void wprof_table_free(struct wprof_table *t)
{
  if (!t)
    return;
  for (int i = 0; i < t->ncells; i++) {
    free(t->cells[i].text);
    free(t->cells[i].string);
  }
  free(t->cells);
  free(t->columns);
  free(t);
}

void wprof_table_column(struct wprof_table *t, const char *key, const char *title, enum wprof_align align,
                        enum wprof_column_shown shown)
{
  t->columns = wprof_xrealloc(t->columns, sizeof(struct column) * (size_t)(t->ncolumns + 1));
  t->columns[t->ncolumns++] = (struct column){key, title, align, shown};
}

void wprof_table_row(struct wprof_table *t)
{
  t->nrows++;
}

int wprof_table_rows(const struct wprof_table *t)
{
  return t->nrows;
}

static void add_cell(struct wprof_table *t, char *text, char *string, enum cell_kind kind, int64_t value)
{
  if (t->ncells == t->cap_cells) {
    t->cap_cells = t->cap_cells ? 2 * t->cap_cells : 64;
    t->cells = wprof_xrealloc(t->cells, sizeof(struct cell) * (size_t)t->cap_cells);
  }
  t->cells[t->ncells++] = (struct cell){text, string, kind, value};
}

void wprof_table_int(struct wprof_table *t, int64_t v)
{
  add_cell(t, wprof_xasprintf("%" PRId64, v), NULL, CELL_INT, v);
}

void wprof_table_ns(struct wprof_table *t, int64_t v)
{
  char buf[WPROF_UNIT_BUF];
  add_cell(t, wprof_xstrdup(wprof_format_ns(buf, v)), NULL, CELL_INT, v);
}

void wprof_table_bytes(struct wprof_table *t, int64_t v)
{
  char buf[WPROF_UNIT_BUF];
  add_cell(t, wprof_xstrdup(wprof_format_bytes(buf, v)), NULL, CELL_INT, v);
}

/* Strings are kept twice: escaped for text (wprof_escaped), as they are for
** JSON, whose own escapes apply. */
void wprof_table_string(struct wprof_table *t, const char *s)
{
  add_cell(t, wprof_escaped(s, ""), wprof_xstrdup(s), CELL_STRING, 0);
}

void wprof_table_string2(struct wprof_table *t, const char *text, const char *value)
{
  add_cell(t, wprof_escaped(text, ""), wprof_xstrdup(value), CELL_STRING, 0);
}

void wprof_table_int2(struct wprof_table *t, const char *text, int64_t value)
{
  add_cell(t, wprof_xstrdup(text), NULL, CELL_INT, value);
}

void wprof_table_null(struct wprof_table *t)
{
  add_cell(t, wprof_xstrdup("-"), NULL, CELL_NULL, 0);
}

void wprof_table_textf(struct wprof_table *t, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  char *s = wprof_xvasprintf(fmt, ap);
  va_end(ap);
  add_cell(t, s, NULL, CELL_NULL, 0);
}

static const struct cell *cell_at(const struct wprof_table *t, int row, int col)
{
  return &t->cells[row * t->ncolumns + col];
}

/* Display width: UTF-8 code points (continuation bytes do not count). */
static int display_width(const char *s)
{
  int w = 0;
  for (; *s; s++)
    if (((unsigned char)*s & 0xC0) != 0x80)
      w++;
  return w;
}

static void pad(FILE *out, int n)
{
  while (n-- > 0)
    fputc(' ', out);
}

static int last_text_column(const struct wprof_table *t)
{
  int last = -1;
  for (int c = 0; c < t->ncolumns; c++)
    if (t->columns[c].shown != WPROF_SHOWN_DATA)
      last = c;
  return last;
}

static void print_text_line(const struct wprof_table *t, FILE *out, const int *widths, int row)
{
  int last = last_text_column(t), first = 1;
  for (int c = 0; c < t->ncolumns; c++) {
    const struct column *col = &t->columns[c];
    if (col->shown == WPROF_SHOWN_DATA)
      continue;
    const char *s = row < 0 ? col->title : cell_at(t, row, c)->text;
    int gap = widths[c] - display_width(s);
    if (!first)
      fputs("  ", out);
    first = 0;
    if (col->align == WPROF_ALIGN_RIGHT)
      pad(out, gap);
    fputs(s, out);
    if (col->align == WPROF_ALIGN_LEFT && c != last)
      pad(out, gap);
  }
  fputc('\n', out);
}

static void print_text(const struct wprof_table *t, FILE *out)
{
  int *widths = wprof_xcalloc((size_t)t->ncolumns, sizeof(int));
  for (int c = 0; c < t->ncolumns; c++) {
    widths[c] = display_width(t->columns[c].title);
    for (int r = 0; r < t->nrows; r++) {
      int w = display_width(cell_at(t, r, c)->text);
      if (w > widths[c])
        widths[c] = w;
    }
  }
  print_text_line(t, out, widths, -1);
  for (int r = 0; r < t->nrows; r++)
    print_text_line(t, out, widths, r);
  free(widths);
}

static const char *cell_string(const struct cell *cell)
{
  return cell->string ? cell->string : cell->text;
}

static void print_csv_field(FILE *out, const char *s)
{
  if (strpbrk(s, ",\"\r\n") == NULL && s[0] != ' ') {
    fputs(s, out);
    return;
  }
  fputc('"', out);
  for (; *s; s++) {
    if (*s == '"')
      fputc('"', out);
    fputc(*s, out);
  }
  fputc('"', out);
}

static void print_csv(const struct wprof_table *t, FILE *out)
{
  for (int r = -1; r < t->nrows; r++) {
    int first = 1;
    for (int c = 0; c < t->ncolumns; c++) {
      if (t->columns[c].shown == WPROF_SHOWN_TEXT)
        continue;
      if (!first)
        fputc(',', out);
      first = 0;
      if (r < 0) {
        print_csv_field(out, t->columns[c].key);
        continue;
      }
      const struct cell *cell = cell_at(t, r, c);
      if (cell->kind == CELL_INT)
        fprintf(out, "%" PRId64, cell->value);
      else if (cell->kind == CELL_STRING) {
        char *escaped = wprof_escaped(cell_string(cell), "");
        print_csv_field(out, escaped);
        free(escaped);
      }
    }
    fputc('\n', out);
  }
}

static void print_json(const struct wprof_table *t, FILE *out)
{
  fputc('[', out);
  for (int r = 0; r < t->nrows; r++) {
    fputs(r ? ",\n {" : "\n {", out);
    int first = 1;
    for (int c = 0; c < t->ncolumns; c++) {
      if (t->columns[c].shown == WPROF_SHOWN_TEXT)
        continue;
      if (!first)
        fputs(", ", out);
      first = 0;
      wprof_print_json_string(out, t->columns[c].key);
      fputs(": ", out);
      const struct cell *cell = cell_at(t, r, c);
      if (cell->kind == CELL_INT)
        fprintf(out, "%" PRId64, cell->value);
      else if (cell->kind == CELL_STRING)
        wprof_print_json_string(out, cell_string(cell));
      else
        fputs("null", out);
    }
    fputc('}', out);
  }
  fputs(t->nrows ? "\n]\n" : "]\n", out);
}

int wprof_table_print(const struct wprof_table *t, enum wprof_format format, FILE *out)
{
  if (format == WPROF_FORMAT_TEXT)
    print_text(t, out);
  else if (format == WPROF_FORMAT_CSV)
    print_csv(t, out);
  else
    print_json(t, out);
  return ferror(out) ? -1 : 0;
}
