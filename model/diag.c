#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "model/diag.h"
#include "model/error.h"
#include "model/utf8.h"

/* Quoted lines are cut here, so a one-line 16 MiB file prints briefly. */
#define QUOTE_MAX_BYTES 240

void diag_source_init(struct diag_source *source, const char *name,
		      const char *text, size_t length, size_t rank)
{
	memset(source, 0, sizeof(*source));
	source->name = name;
	source->text = text;
	source->length = length;
	source->rank = rank;
}

void diag_source_release(struct diag_source *source)
{
	if (!source)
		return;
	free(source->line_starts);
	source->line_starts = NULL;
	source->line_count = 0;
}

static int index_lines(struct diag_source *source)
{
	size_t count = 1, i, n = 0;

	for (i = 0; i < source->length; i++)
		if (source->text[i] == '\n')
			count++;

	source->line_starts = malloc(count * sizeof(size_t));
	if (!source->line_starts)
		return TRUNKCTL_ENOMEM;

	source->line_starts[n++] = 0;
	for (i = 0; i < source->length; i++)
		if (source->text[i] == '\n')
			source->line_starts[n++] = i + 1;
	source->line_count = count;
	return 0;
}

/*
 * Copies up to `size` - 1 bytes of `text`, replacing control characters
 * (except tab) and bytes that are not UTF-8 by '?', so that a terminal
 * shows the text as it is. Stops before a character that does not fit.
 * Returns the number of input bytes consumed.
 */
static size_t copy_printable(char *out, size_t size, const char *text,
			     size_t length)
{
	const unsigned char *s = (const unsigned char *)text;
	size_t in = 0, used = 0;

	while (in < length) {
		size_t n = utf8_sequence_length(s + in, length - in);
		bool control = n == 1 && ((s[in] < 0x20 && s[in] != '\t') ||
					  s[in] == 0x7f);

		if (n == 0 || control) {
			if (used + 1 >= size)
				break;
			out[used++] = '?';
			in++;
			continue;
		}
		if (used + n >= size)
			break;
		memcpy(out + used, s + in, n);
		used += n;
		in += n;
	}
	out[used] = '\0';
	return in;
}

static char *printable_line(const char *start, size_t length)
{
	char *copy;

	if (length > QUOTE_MAX_BYTES)
		length = QUOTE_MAX_BYTES;
	copy = malloc(length + 1);
	if (copy)
		copy_printable(copy, length + 1, start, length);
	return copy;
}

char *diag_quote(char *buffer, size_t size, const char *text, size_t length)
{
	size_t used;

	if (copy_printable(buffer, size, text, length) == length)
		return buffer;

	/* Cut again, leaving room for the marker. */
	copy_printable(buffer, size - 3, text, length);
	used = strlen(buffer);
	memcpy(buffer + used, "...", 4);
	return buffer;
}

static char *quote_line(struct diag_source *source, int line)
{
	size_t start, end;

	if (!source || !source->text || line < 1)
		return NULL;
	if (!source->line_starts && index_lines(source) < 0)
		return NULL;
	if ((size_t)line > source->line_count)
		return NULL;

	start = source->line_starts[line - 1];
	end = start;
	while (end < source->length && source->text[end] != '\n')
		end++;
	if (end > start && source->text[end - 1] == '\r')
		end--;
	return printable_line(source->text + start, end - start);
}

static char *format_message(const char *fmt, va_list ap)
{
	va_list copy;
	char *text;
	int n;

	va_copy(copy, ap);
	n = vsnprintf(NULL, 0, fmt, copy);
	va_end(copy);
	if (n < 0)
		return NULL;

	text = malloc((size_t)n + 1);
	if (text)
		vsnprintf(text, (size_t)n + 1, fmt, ap);
	return text;
}

static int grow(struct diag_list *list)
{
	size_t alloc = list->alloc ? list->alloc * 2 : 16;
	struct diagnostic *items;

	items = realloc(list->items, alloc * sizeof(*items));
	if (!items)
		return TRUNKCTL_ENOMEM;
	list->items = items;
	list->alloc = alloc;
	return 0;
}

int diag_addv(struct diag_list *list, enum diag_severity severity,
	      struct diag_source *source, int line, int column,
	      const char *fmt, va_list ap)
{
	struct diagnostic d = { 0 };

	if (severity == DIAG_ERROR)
		list->errors++;
	else
		list->warnings++;
	if (list->count >= DIAG_MAX_STORED) {
		list->dropped++;
		return 0;
	}
	if (list->count == list->alloc && grow(list) < 0)
		goto nomem;

	d.severity = severity;
	d.line = line;
	d.column = column;
	d.rank = source ? source->rank : SIZE_MAX;
	d.sequence = list->count;
	d.message = format_message(fmt, ap);
	d.file = source ? strdup(source->name) : NULL;
	d.source_line = quote_line(source, line);
	if (!d.message || (source && !d.file))
		goto nomem;

	list->items[list->count++] = d;
	return 0;

nomem:
	free(d.message);
	free(d.file);
	free(d.source_line);
	return error_set(TRUNKCTL_ENOMEM, "out of memory recording a "
			 "diagnostic");
}

int diag_add(struct diag_list *list, enum diag_severity severity,
	     struct diag_source *source, int line, int column,
	     const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = diag_addv(list, severity, source, line, column, fmt, ap);
	va_end(ap);
	return rc;
}

void diag_list_init(struct diag_list *list)
{
	memset(list, 0, sizeof(*list));
}

void diag_list_release(struct diag_list *list)
{
	size_t i;

	if (!list)
		return;
	for (i = 0; i < list->count; i++) {
		free(list->items[i].file);
		free(list->items[i].message);
		free(list->items[i].source_line);
	}
	free(list->items);
	diag_list_init(list);
}

static int compare_diagnostics(const void *pa, const void *pb)
{
	const struct diagnostic *a = pa, *b = pb;

	if (a->rank != b->rank)
		return a->rank < b->rank ? -1 : 1;
	if (a->line != b->line)
		return a->line < b->line ? -1 : 1;
	if (a->column != b->column)
		return a->column < b->column ? -1 : 1;
	if (a->sequence != b->sequence)
		return a->sequence < b->sequence ? -1 : 1;
	return 0;
}

void diag_list_sort(struct diag_list *list)
{
	if (list->count > 1)
		qsort(list->items, list->count, sizeof(list->items[0]),
		      compare_diagnostics);
}

/* Prints the caret under `column`, keeping the tabs of the line. */
static void print_caret(const char *line, int column, FILE *out)
{
	const unsigned char *s = (const unsigned char *)line;
	int chars = 1;

	while (*s && chars < column) {
		if ((*s & 0xc0) != 0x80) {
			fputc(*s == '\t' ? '\t' : ' ', out);
			chars++;
		}
		s++;
	}
	if (chars == column)
		fputs("^", out);
	fputc('\n', out);
}

void diag_print(const struct diagnostic *d, FILE *out)
{
	const char *label = d->severity == DIAG_ERROR ? "error" : "warning";
	int width;

	if (!d->file)
		fprintf(out, "trunkctl: %s: %s\n", label, d->message);
	else if (d->line < 1)
		fprintf(out, "%s: %s: %s\n", d->file, label, d->message);
	else
		fprintf(out, "%s:%d:%d: %s: %s\n", d->file, d->line,
			d->column, label, d->message);

	if (!d->source_line)
		return;
	width = snprintf(NULL, 0, "%d", d->line);
	if (width < 5)
		width = 5;
	fprintf(out, "%*d | %s\n", width, d->line, d->source_line);
	fprintf(out, "%*s | ", width, "");
	print_caret(d->source_line, d->column, out);
}

void diag_list_print(const struct diag_list *list, FILE *out)
{
	size_t i;

	for (i = 0; i < list->count; i++)
		diag_print(&list->items[i], out);
	if (list->dropped)
		fprintf(out, "trunkctl: note: %zu more diagnostics not shown\n",
			list->dropped);
}
