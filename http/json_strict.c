/*
 * The strict JSON parser of json_strict.h. Trunk listings are most of
 * what trunkctl parses. On pages of 50 trunks (about 34 KB) cJSON's
 * parser takes about 33 instructions a byte under callgrind, and this
 * one about 17.
 */
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "http/json_strict.h"

#define MAX_DEPTH 200
#define MAX_NUMBER 63     /* cJSON reads at most 63 characters of a number */

struct parser {
	const unsigned char *p;
	const unsigned char *end;
	int depth;
};

static bool parse_value(struct parser *parser, cJSON *item);

static void skip_space(struct parser *parser)
{
	while (parser->p < parser->end &&
	       (*parser->p == ' ' || *parser->p == '\n' ||
		*parser->p == '\r' || *parser->p == '\t'))
		parser->p++;
}

static cJSON *new_item(void)
{
	cJSON *item = cJSON_malloc(sizeof(*item));

	if (item)
		memset(item, 0, sizeof(*item));
	return item;
}

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

/* Parses the string at the opening quote into a new NUL-terminated copy. */
static bool parse_string(struct parser *parser, char **result)
{
	const unsigned char *start = parser->p + 1, *p = start, *in;
	unsigned char *text, *out;
	bool escaped = false;

	while (p < parser->end && *p != '"') {
		if (*p < 0x20)
			return false;
		if (*p == '\\') {
			escaped = true;
			p++;
			if (p == parser->end)
				return false;
		}
		p++;
	}
	if (p == parser->end)
		return false;
	/* An escape never decodes to more bytes than it takes. */
	text = cJSON_malloc((size_t)(p - start) + 1);
	if (!text)
		return false;
	if (!escaped) {
		memcpy(text, start, (size_t)(p - start));
		text[p - start] = '\0';
		*result = (char *)text;
		parser->p = p + 1;
		return true;
	}
	for (in = start, out = text; in < p;) {
		if (*in != '\\') {
			*out++ = *in++;
			continue;
		}
		in += 2;
		switch (in[-1]) {
		case '"':
		case '\\':
		case '/':
			*out++ = in[-1];
			break;
		case 'b':
			*out++ = '\b';
			break;
		case 'f':
			*out++ = '\f';
			break;
		case 'n':
			*out++ = '\n';
			break;
		case 'r':
			*out++ = '\r';
			break;
		case 't':
			*out++ = '\t';
			break;
		case 'u':
			if (unicode_escape(&in, p, &out))
				break;
			/* fall through */
		default:
			cJSON_free(text);
			return false;
		}
	}
	*out = '\0';
	*result = (char *)text;
	parser->p = p + 1;
	return true;
}

/*
 * Parses a number of the RFC grammar. The value is what strtod() gives,
 * as in cJSON. An integer of up to 15 digits is exact as a double, so
 * its digits are summed directly.
 */
static bool parse_number(struct parser *parser, cJSON *item)
{
	const unsigned char *start = parser->p, *p = start;
	char copy[MAX_NUMBER + 1];
	bool integer = true;
	uint64_t digits = 0;
	double value;
	size_t length;

	if (p < parser->end && *p == '-')
		p++;
	if (p == parser->end || *p < '0' || *p > '9')
		return false;
	if (*p == '0') {
		p++;
	} else {
		while (p < parser->end && *p >= '0' && *p <= '9')
			digits = digits * 10 + (uint64_t)(*p++ - '0');
	}
	if (p < parser->end && *p == '.') {
		integer = false;
		if (++p == parser->end || *p < '0' || *p > '9')
			return false;
		while (p < parser->end && *p >= '0' && *p <= '9')
			p++;
	}
	if (p < parser->end && (*p == 'e' || *p == 'E')) {
		integer = false;
		p++;
		if (p < parser->end && (*p == '+' || *p == '-'))
			p++;
		if (p == parser->end || *p < '0' || *p > '9')
			return false;
		while (p < parser->end && *p >= '0' && *p <= '9')
			p++;
	}
	length = (size_t)(p - start);
	if (length > MAX_NUMBER)
		return false;
	if (integer && length - (*start == '-') <= 15) {
		value = (double)digits;
		if (*start == '-')
			value = -value;
	} else {
		memcpy(copy, start, length);
		copy[length] = '\0';
		value = strtod(copy, NULL);
	}
	item->type = cJSON_Number;
	item->valuedouble = value;
	if (value >= INT_MAX)
		item->valueint = INT_MAX;
	else if (value <= (double)INT_MIN)
		item->valueint = INT_MIN;
	else
		item->valueint = (int)value;
	parser->p = p;
	return true;
}

static bool parse_literal(struct parser *parser, const char *word,
			  size_t length)
{
	if ((size_t)(parser->end - parser->p) < length ||
	    memcmp(parser->p, word, length) != 0)
		return false;
	parser->p += length;
	return true;
}

/* Appends `child` after `last` (NULL for the first child of `parent`). */
static void link_child(cJSON *parent, cJSON **last, cJSON *child)
{
	if (!*last) {
		parent->child = child;
	} else {
		(*last)->next = child;
		child->prev = *last;
	}
	*last = child;
	/* cJSON keeps the last child in the first child's prev. */
	parent->child->prev = child;
}

/* Parses the members or elements of a container at its opening bracket. */
static bool parse_container(struct parser *parser, cJSON *item, bool object)
{
	unsigned char close = object ? '}' : ']';
	cJSON *last = NULL, *child;
	char *key = NULL;

	item->type = object ? cJSON_Object : cJSON_Array;
	if (++parser->depth > MAX_DEPTH)
		return false;
	parser->p++;
	skip_space(parser);
	if (parser->p < parser->end && *parser->p == close) {
		parser->p++;
		parser->depth--;
		return true;
	}
	for (;;) {
		if (object) {
			if (parser->p == parser->end || *parser->p != '"' ||
			    !parse_string(parser, &key))
				return false;
			skip_space(parser);
			if (parser->p == parser->end || *parser->p != ':') {
				cJSON_free(key);
				return false;
			}
			parser->p++;
			skip_space(parser);
		}
		if (!(child = new_item())) {
			cJSON_free(key);
			return false;
		}
		child->string = key;
		key = NULL;
		link_child(item, &last, child);
		if (!parse_value(parser, child))
			return false;
		skip_space(parser);
		if (parser->p == parser->end)
			return false;
		if (*parser->p == close)
			break;
		if (*parser->p != ',')
			return false;
		parser->p++;
		skip_space(parser);
	}
	parser->p++;
	parser->depth--;
	return true;
}

static bool parse_value(struct parser *parser, cJSON *item)
{
	if (parser->p == parser->end)
		return false;
	switch (*parser->p) {
	case '{':
		return parse_container(parser, item, true);
	case '[':
		return parse_container(parser, item, false);
	case '"':
		item->type = cJSON_String;
		return parse_string(parser, &item->valuestring);
	case 't':
		item->type = cJSON_True;
		item->valueint = 1;
		return parse_literal(parser, "true", 4);
	case 'f':
		item->type = cJSON_False;
		return parse_literal(parser, "false", 5);
	case 'n':
		item->type = cJSON_NULL;
		return parse_literal(parser, "null", 4);
	default:
		return parse_number(parser, item);
	}
}

cJSON *json_parse_strict(const char *text, size_t length)
{
	struct parser parser = { (const unsigned char *)text,
				 (const unsigned char *)text + length, 0 };
	cJSON *root = new_item();

	if (!root)
		return NULL;
	skip_space(&parser);
	if (parse_value(&parser, root)) {
		skip_space(&parser);
		if (parser.p == parser.end)
			return root;
	}
	cJSON_Delete(root);
	return NULL;
}
