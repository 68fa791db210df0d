#ifndef TRUNKCTL_MODEL_DIAG_H
#define TRUNKCTL_MODEL_DIAG_H

/*
 * Located diagnostics for manifests, printed the way compilers print
 * them:
 *
 *   edges/dublin.yaml:12:14: error: unknown codec 'G711'
 *      12 |     codecs: [G711]
 *         |              ^
 *
 * A diag_list collects every problem of a run so that all of them are
 * reported at once. Each diagnostic copies what it needs (file name,
 * message, the quoted line), so it stays valid after the source text is
 * gone. Not thread-safe: one list belongs to one loader.
 */

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

enum diag_severity {
	DIAG_WARNING,
	DIAG_ERROR,
};

/*
 * A text that diagnostics point into. `name` and `text` are borrowed;
 * the index of line starts is built on first use and owned. `rank`
 * orders diagnostics of different sources when they are printed.
 */
struct diag_source {
	const char *name;
	const char *text;
	size_t length;
	size_t rank;
	size_t *line_starts;
	size_t line_count;
};

struct diagnostic {
	enum diag_severity severity;
	char *file;        /* NULL for a message about the whole run */
	int line;          /* 1-based; 0 when about the whole file */
	int column;        /* 1-based, in characters */
	char *message;
	char *source_line; /* the quoted line, made printable; or NULL */
	size_t rank;
	size_t sequence;   /* insertion order, to keep the sort stable */
};

/*
 * Diagnostics past DIAG_MAX_STORED are counted but not kept, so a file
 * with a million broken lines cannot exhaust memory.
 */
#define DIAG_MAX_STORED 1000

struct diag_list {
	struct diagnostic *items;
	size_t count;
	size_t alloc;
	size_t errors;
	size_t warnings;
	size_t dropped;
};

void diag_source_init(struct diag_source *source, const char *name,
		      const char *text, size_t length, size_t rank);
void diag_source_release(struct diag_source *source);

void diag_list_init(struct diag_list *list);
void diag_list_release(struct diag_list *list);

/*
 * Appends a diagnostic at LINE:COLUMN of `source` (1-based; line 0 for
 * the whole file). `source` may be NULL for a run-wide message, and its
 * `text` may be NULL when only the name is known (a file that could not
 * be read). Returns 0 or TRUNKCTL_ENOMEM.
 */
int diag_add(struct diag_list *list, enum diag_severity severity,
	     struct diag_source *source, int line, int column,
	     const char *fmt, ...) __attribute__((format(printf, 6, 7)));
int diag_addv(struct diag_list *list, enum diag_severity severity,
	      struct diag_source *source, int line, int column,
	      const char *fmt, va_list ap);

/* Sorts by source rank, line and column, keeping insertion order. */
void diag_list_sort(struct diag_list *list);

/* Prints every stored diagnostic, and a note for those not stored. */
void diag_list_print(const struct diag_list *list, FILE *out);

/* Prints one diagnostic with its quoted line and caret. */
void diag_print(const struct diagnostic *diagnostic, FILE *out);

/*
 * Copies `length` bytes of `text` into `buffer` for a message: control
 * characters and bytes that are not UTF-8 become '?', and text longer
 * than the buffer is cut at a character boundary and ends with "...".
 * `size` is at least 4. Returns `buffer`.
 */
char *diag_quote(char *buffer, size_t size, const char *text, size_t length);

#endif
