/* Result tables of the analyzer, printed as aligned text, CSV or JSON.
 * A view declares its columns, then fills rows cell by cell. Each cell has a
 * human text (units, "3/1", indentation) used by the text format and a raw
 * value (integer, string or null) used by CSV and JSON, so machine output
 * always carries exact integers. Some columns exist only in one of the two
 * worlds (a percentage is text only; primitive_calls is data only). */
#ifndef WPROF_ANALYZER_TABLE_H
#define WPROF_ANALYZER_TABLE_H

#include <stdint.h>
#include <stdio.h>

enum wprof_format { WPROF_FORMAT_TEXT, WPROF_FORMAT_CSV, WPROF_FORMAT_JSON };

/* Parses "text", "csv" or "json"; returns 0 on success. */
int wprof_format_parse(const char *name, enum wprof_format *out);

enum wprof_column_shown { WPROF_SHOWN_BOTH, WPROF_SHOWN_TEXT, WPROF_SHOWN_DATA };
enum wprof_align { WPROF_ALIGN_LEFT, WPROF_ALIGN_RIGHT };

struct wprof_table;

struct wprof_table *wprof_table_new(void);
void wprof_table_free(struct wprof_table *t);

/* key: CSV header / JSON member name; title: text header. */
void wprof_table_column(struct wprof_table *t, const char *key, const char *title, enum wprof_align align,
                        enum wprof_column_shown shown);

/* Starts a new row; the cells below fill it left to right. */
void wprof_table_row(struct wprof_table *t);
void wprof_table_int(struct wprof_table *t, int64_t v);     /* text: decimal */
void wprof_table_ns(struct wprof_table *t, int64_t v);      /* text: human time */
void wprof_table_bytes(struct wprof_table *t, int64_t v);   /* text: human size */
void wprof_table_string(struct wprof_table *t, const char *s);
void wprof_table_null(struct wprof_table *t);                /* text: "-" */
/* A cell whose text differs from its string value (indented names). */
void wprof_table_string2(struct wprof_table *t, const char *text, const char *value);
/* A cell with a given text and an integer value. */
void wprof_table_int2(struct wprof_table *t, const char *text, int64_t value);
/* A text-only cell built with printf. */
void wprof_table_textf(struct wprof_table *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

int wprof_table_rows(const struct wprof_table *t);

/* Prints the table; text output has a header line, two spaces between
 * columns and no trailing blanks. Returns 0, or -1 on a write error. */
int wprof_table_print(const struct wprof_table *t, enum wprof_format format, FILE *out);

#endif
