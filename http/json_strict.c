/*
 * The strict JSON parser of json_strict.h. Trunk listings are most of
 * what trunkctl parses. On pages of 50 trunks (about 34 KB) cJSON's
 * parser takes about 33 instructions a byte under callgrind, and this
 * one about 17. Its tokens come from json_lex.c.
 */
#include <limits.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "http/json_lex.h"
#include "http/json_strict.h"

static bool parse_value(struct json_lex *lex, cJSON *item);

static cJSON *new_item(void)
{
	cJSON *item = cJSON_malloc(sizeof(*item));

	if (item)
		memset(item, 0, sizeof(*item));
	return item;
}

/* Parses the string at the opening quote into a new NUL-terminated copy. */
static bool parse_string(struct json_lex *lex, char **result)
{
	const unsigned char *raw;
	size_t length;
	bool escaped;
	char *text;

	if (!json_lex_string(lex, &raw, &length, &escaped))
		return false;
	/* An escape never decodes to more bytes than it takes. */
	text = cJSON_malloc(length + 1);
	if (!text)
		return false;
	if (!escaped) {
		memcpy(text, raw, length);
		text[length] = '\0';
	} else if (!json_lex_unescape(raw, length, text)) {
		cJSON_free(text);
		return false;
	}
	*result = text;
	return true;
}

/* A number gets valueint as cJSON sets it: clamped to the int range. */
static bool parse_number(struct json_lex *lex, cJSON *item)
{
	double value;

	if (!json_lex_number(lex, &value))
		return false;
	item->type = cJSON_Number;
	item->valuedouble = value;
	if (value >= INT_MAX)
		item->valueint = INT_MAX;
	else if (value <= (double)INT_MIN)
		item->valueint = INT_MIN;
	else
		item->valueint = (int)value;
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
static bool parse_container(struct json_lex *lex, cJSON *item, bool object)
{
	unsigned char close = object ? '}' : ']';
	cJSON *last = NULL, *child;
	char *key = NULL;

	item->type = object ? cJSON_Object : cJSON_Array;
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
			if (!json_lex_at(lex, '"') || !parse_string(lex, &key))
				return false;
			json_lex_space(lex);
			if (!json_lex_at(lex, ':')) {
				cJSON_free(key);
				return false;
			}
			lex->p++;
			json_lex_space(lex);
		}
		if (!(child = new_item())) {
			cJSON_free(key);
			return false;
		}
		child->string = key;
		key = NULL;
		link_child(item, &last, child);
		if (!parse_value(lex, child))
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

static bool parse_value(struct json_lex *lex, cJSON *item)
{
	if (lex->p == lex->end)
		return false;
	switch (*lex->p) {
	case '{':
		return parse_container(lex, item, true);
	case '[':
		return parse_container(lex, item, false);
	case '"':
		item->type = cJSON_String;
		return parse_string(lex, &item->valuestring);
	case 't':
		item->type = cJSON_True;
		item->valueint = 1;
		return json_lex_literal(lex, "true", 4);
	case 'f':
		item->type = cJSON_False;
		return json_lex_literal(lex, "false", 5);
	case 'n':
		item->type = cJSON_NULL;
		return json_lex_literal(lex, "null", 4);
	default:
		return parse_number(lex, item);
	}
}

cJSON *json_parse_strict(const char *text, size_t length)
{
	struct json_lex lex;
	cJSON *root = new_item();

	if (!root)
		return NULL;
	json_lex_init(&lex, text, length);
	json_lex_space(&lex);
	if (parse_value(&lex, root)) {
		json_lex_space(&lex);
		if (lex.p == lex.end)
			return root;
	}
	cJSON_Delete(root);
	return NULL;
}
