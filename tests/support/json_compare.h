#ifndef TRUNKCTL_TESTS_JSON_COMPARE_H
#define TRUNKCTL_TESTS_JSON_COMPARE_H

#include <stdbool.h>
#include <string.h>

#include <cjson/cJSON.h>

/* Compares two strings, either of which may be NULL. */
static inline bool json_same_text(const char *a, const char *b)
{
	return a == b || (a && b && strcmp(a, b) == 0);
}

/*
 * Returns whether two cJSON trees have the same items: types, keys,
 * strings, numbers (valuedouble bit for bit, and valueint), the order of
 * children, and the links cJSON keeps between them (the first child's
 * prev is the last child).
 */
static inline bool json_same_tree(const cJSON *a, const cJSON *b)
{
	const cJSON *x, *y, *last = NULL;

	if (a->type != b->type || a->valueint != b->valueint ||
	    memcmp(&a->valuedouble, &b->valuedouble,
		   sizeof(a->valuedouble)) != 0 ||
	    !json_same_text(a->string, b->string) ||
	    !json_same_text(a->valuestring, b->valuestring))
		return false;
	for (x = a->child, y = b->child; x && y; x = x->next, y = y->next) {
		if (x != a->child && x->prev != last)
			return false;
		if (!json_same_tree(x, y))
			return false;
		last = x;
	}
	if (x || y)
		return false;
	return !a->child || a->child->prev == last;
}

#endif
