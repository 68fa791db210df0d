#ifndef TRUNKCTL_HTTP_JSON_LEX_H
#define TRUNKCTL_HTTP_JSON_LEX_H

/*
 * The tokens of strict JSON (RFC 8259), shared by the strict parser
 * (json_strict.c) and the trunk page decoder (trunk_page.c). Each
 * function reads at lex->p and, when it returns true, leaves lex->p
 * after what it read. It returns false for anything outside the strict
 * grammar, and the callers then leave the text to cJSON. The limits are
 * those of json_strict.h.
 */

#include <stdbool.h>
#include <stddef.h>

#define JSON_LEX_MAX_DEPTH 200
#define JSON_LEX_MAX_NUMBER 63 /* cJSON reads at most 63 characters */

struct json_lex {
	const unsigned char *p;
	const unsigned char *end;
	int depth;                 /* the number of open containers */
};

static inline void json_lex_init(struct json_lex *lex, const char *text,
				 size_t length)
{
	lex->p = (const unsigned char *)text;
	lex->end = lex->p + length;
	lex->depth = 0;
}

/* Skips spaces, tabs, CRs and LFs. */
static inline void json_lex_space(struct json_lex *lex)
{
	while (lex->p < lex->end && (*lex->p == ' ' || *lex->p == '\n' ||
				     *lex->p == '\r' || *lex->p == '\t'))
		lex->p++;
}

/* Returns whether the next byte is `c`, after any skipped spaces. */
static inline bool json_lex_at(const struct json_lex *lex, unsigned char c)
{
	return lex->p < lex->end && *lex->p == c;
}

/*
 * At the opening quote of a string, sets *text and *length to the raw
 * bytes up to the closing quote, and sets *escaped when they contain an
 * escape. Returns false for a control character or a string that does
 * not end. json_lex_unescape() checks the escapes themselves.
 */
bool json_lex_string(struct json_lex *lex, const unsigned char **text,
		     size_t *length, bool *escaped);

/*
 * Decodes the escapes of the `length` raw bytes at `text` into `out`,
 * which has room for length + 1 bytes, and ends it with a NUL. With
 * `out` NULL it only checks them. Returns false for an escape outside
 * the grammar, "\u0000" and a lone surrogate.
 */
bool json_lex_unescape(const unsigned char *text, size_t length, char *out);

/*
 * Reads a number of the RFC grammar into *value, which is what strtod()
 * gives for it, as in cJSON.
 */
bool json_lex_number(struct json_lex *lex, double *value);

/* Reads the literal `word` of `length` bytes: true, false or null. */
bool json_lex_literal(struct json_lex *lex, const char *word, size_t length);

/* Skips one value of any kind, checked as strictly as the rest. */
bool json_lex_skip(struct json_lex *lex);

#endif
