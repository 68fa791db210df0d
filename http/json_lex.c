/*
 * The tokens of strict JSON, for json_strict.c and trunk_page.c. Strings
 * are most of the bytes of an API response, so json_lex_string() looks
 * at 8 bytes at a time for the three kinds of byte that end a run of
 * plain text: a quote, a backslash and a control character.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "http/json_lex.h"

#define ONES 0x0101010101010101ULL
#define HIGHS 0x8080808080808080ULL

/* Returns the value of four hex digits at `p`, or -1. */
static long hex4(const unsigned char *p)
{
	long value = 0;
	int i;

	for (i = 0; i < 4; i++) {
		unsigned char c = p[i];

		value <<= 4;
		if (c >= '0' && c <= '9')
			value |= c - '0';
		else if (c >= 'a' && c <= 'f')
			value |= c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			value |= c - 'A' + 10;
		else
			return -1;
	}
	return value;
}

/* Writes `code` as UTF-8 at `out` and returns the bytes written. */
static size_t put_utf8(unsigned char *out, uint32_t code)
{
	if (code < 0x80) {
		out[0] = (unsigned char)code;
		return 1;
	}
	if (code < 0x800) {
		out[0] = (unsigned char)(0xc0 | (code >> 6));
		out[1] = (unsigned char)(0x80 | (code & 0x3f));
		return 2;
	}
	if (code < 0x10000) {
		out[0] = (unsigned char)(0xe0 | (code >> 12));
		out[1] = (unsigned char)(0x80 | ((code >> 6) & 0x3f));
		out[2] = (unsigned char)(0x80 | (code & 0x3f));
		return 3;
	}
	out[0] = (unsigned char)(0xf0 | (code >> 18));
	out[1] = (unsigned char)(0x80 | ((code >> 12) & 0x3f));
	out[2] = (unsigned char)(0x80 | ((code >> 6) & 0x3f));
	out[3] = (unsigned char)(0x80 | (code & 0x3f));
	return 4;
}

/*
 * Decodes the \u escape at `*in` (after the backslash and 'u'), with the
 * second half of a surrogate pair, into `*out`. Rejects "\u0000" and a
 * lone surrogate.
 */
static bool unicode_escape(const unsigned char **in, const unsigned char *end,
			   unsigned char **out)
{
	const unsigned char *p = *in;
	long first, second;
	uint32_t code;

	if (end - p < 4 || (first = hex4(p)) <= 0)
		return false;
	p += 4;
	if (first >= 0xdc00 && first <= 0xdfff)
		return false;
	code = (uint32_t)first;
	if (first >= 0xd800 && first <= 0xdbff) {
		if (end - p < 6 || p[0] != '\\' || p[1] != 'u')
			return false;
		second = hex4(p + 2);
		if (second < 0xdc00 || second > 0xdfff)
			return false;
		code = 0x10000 + ((((uint32_t)first & 0x3ff) << 10) |
				  ((uint32_t)second & 0x3ff));
		p += 6;
	}
	*out += put_utf8(*out, code);
	*in = p;
	return true;
}

/*
 * Returns non-zero when one of the 8 bytes of `x` is a quote, a
 * backslash or below 0x20. Each test is the classic "has a zero byte"
 * one, which has no false positive for the word as a whole.
 */
static inline uint64_t special_bytes(uint64_t x)
{
	uint64_t quote = x ^ (ONES * '"');
	uint64_t backslash = x ^ (ONES * '\\');

	return (((quote - ONES) & ~quote) | ((backslash - ONES) & ~backslash) |
		((x - ONES * 0x20) & ~x)) & HIGHS;
}

/*
 * Returns the offset in the word at `p` of its first special byte, given
 * its non-zero special_bytes() mask. Below the first special byte no test
 * borrows, so on a little-endian machine the lowest flag is that byte.
 */
static inline size_t first_flagged(uint64_t mask, const unsigned char *p)
{
#if defined(__GNUC__) && defined(__BYTE_ORDER__) && \
	__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	(void)p;
	return (size_t)__builtin_ctzll(mask) / 8;
#else
	size_t i = 0;

	(void)mask;
	while (p[i] != '"' && p[i] != '\\' && p[i] >= 0x20)
		i++;
	return i;
#endif
}

bool json_lex_string(struct json_lex *lex, const unsigned char **text,
		     size_t *length, bool *escaped)
{
	const unsigned char *start = lex->p + 1, *p = start;
	const unsigned char *end = lex->end;
	uint64_t word, mask;

	*escaped = false;
	for (;;) {
		while (end - p >= 8) {
			memcpy(&word, p, sizeof(word));
			if ((mask = special_bytes(word))) {
				p += first_flagged(mask, p);
				break;
			}
			p += 8;
		}
		if (p == end || *p < 0x20)
			return false;
		if (*p == '"')
			break;
		if (*p == '\\') {
			*escaped = true;
			if (end - p < 2)
				return false;
			p += 2;
		} else {
			p++;
		}
	}
	*text = start;
	*length = (size_t)(p - start);
	lex->p = p + 1;
	return true;
}

/* The byte that a one-letter escape stands for, or 0. */
static unsigned char simple_escape(unsigned char letter)
{
	switch (letter) {
	case '"':
	case '\\':
	case '/':
		return letter;
	case 'b':
		return '\b';
	case 'f':
		return '\f';
	case 'n':
		return '\n';
	case 'r':
		return '\r';
	case 't':
		return '\t';
	default:
		return 0;
	}
}

bool json_lex_unescape(const unsigned char *text, size_t length, char *out)
{
	const unsigned char *in = text, *end = text + length;
	unsigned char scratch[4], *to, byte;

	while (in < end) {
		if (*in != '\\') {
			if (out)
				*out++ = (char)*in;
			in++;
			continue;
		}
		in += 2;
		if (in[-1] == 'u') {
			to = out ? (unsigned char *)out : scratch;
			if (!unicode_escape(&in, end, &to))
				return false;
			if (out)
				out = (char *)to;
			continue;
		}
		if (!(byte = simple_escape(in[-1])))
			return false;
		if (out)
			*out++ = (char)byte;
	}
	if (out)
		*out = '\0';
	return true;
}

/*
 * An integer of up to 15 digits is exact as a double, so its digits are
 * summed directly; other numbers go to strtod().
 */
bool json_lex_number(struct json_lex *lex, double *value)
{
	const unsigned char *start = lex->p, *p = start, *end = lex->end;
	char copy[JSON_LEX_MAX_NUMBER + 1];
	bool integer = true;
	uint64_t digits = 0;
	size_t length;

	if (p < end && *p == '-')
		p++;
	if (p == end || *p < '0' || *p > '9')
		return false;
	if (*p == '0') {
		p++;
	} else {
		while (p < end && *p >= '0' && *p <= '9')
			digits = digits * 10 + (uint64_t)(*p++ - '0');
	}
	if (p < end && *p == '.') {
		integer = false;
		if (++p == end || *p < '0' || *p > '9')
			return false;
		while (p < end && *p >= '0' && *p <= '9')
			p++;
	}
	if (p < end && (*p == 'e' || *p == 'E')) {
		integer = false;
		p++;
		if (p < end && (*p == '+' || *p == '-'))
			p++;
		if (p == end || *p < '0' || *p > '9')
			return false;
		while (p < end && *p >= '0' && *p <= '9')
			p++;
	}
	length = (size_t)(p - start);
	if (length > JSON_LEX_MAX_NUMBER)
		return false;
	if (integer && length - (*start == '-') <= 15) {
		*value = (double)digits;
		if (*start == '-')
			*value = -*value;
	} else {
		memcpy(copy, start, length);
		copy[length] = '\0';
		*value = strtod(copy, NULL);
	}
	lex->p = p;
	return true;
}

bool json_lex_literal(struct json_lex *lex, const char *word, size_t length)
{
	if ((size_t)(lex->end - lex->p) < length ||
	    memcmp(lex->p, word, length) != 0)
		return false;
	lex->p += length;
	return true;
}

static bool skip_string(struct json_lex *lex)
{
	const unsigned char *text;
	size_t length;
	bool escaped;

	return json_lex_string(lex, &text, &length, &escaped) &&
	       (!escaped || json_lex_unescape(text, length, NULL));
}

static bool skip_container(struct json_lex *lex, bool object)
{
	unsigned char close = object ? '}' : ']';

	if (++lex->depth > JSON_LEX_MAX_DEPTH)
		return false;
	lex->p++;
	json_lex_space(lex);
	if (json_lex_at(lex, close)) {
		lex->p++;
		lex->depth--;
		return true;
	}
	for (;;) {
		if (object) {
			if (!json_lex_at(lex, '"') || !skip_string(lex))
				return false;
			json_lex_space(lex);
			if (!json_lex_at(lex, ':'))
				return false;
			lex->p++;
			json_lex_space(lex);
		}
		if (!json_lex_skip(lex))
			return false;
		json_lex_space(lex);
		if (json_lex_at(lex, close))
			break;
		if (!json_lex_at(lex, ','))
			return false;
		lex->p++;
		json_lex_space(lex);
	}
	lex->p++;
	lex->depth--;
	return true;
}

bool json_lex_skip(struct json_lex *lex)
{
	double number;

	if (lex->p == lex->end)
		return false;
	switch (*lex->p) {
	case '{':
		return skip_container(lex, true);
	case '[':
		return skip_container(lex, false);
	case '"':
		return skip_string(lex);
	case 't':
		return json_lex_literal(lex, "true", 4);
	case 'f':
		return json_lex_literal(lex, "false", 5);
	case 'n':
		return json_lex_literal(lex, "null", 4);
	default:
		return json_lex_number(lex, &number);
	}
}
