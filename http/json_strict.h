#ifndef TRUNKCTL_HTTP_JSON_STRICT_H
#define TRUNKCTL_HTTP_JSON_STRICT_H

#include <stddef.h>

#include <cjson/cJSON.h>

/*
 * Parses `length` bytes of strict JSON (RFC 8259) into the tree that
 * cJSON_ParseWithOpts() builds for the same text: the same item types,
 * keys, strings, numbers (valuedouble and valueint) and sibling links,
 * allocated with cJSON_malloc() so that cJSON_Delete() frees it.
 *
 * It is a faster path for API responses, not a second opinion. It
 * returns NULL for anything outside the strict grammar, and then the
 * caller parses with cJSON, whose tree or error is the result. It also
 * returns NULL when memory runs out and past its own limits. Those are
 * a byte order mark, "\u0000", a lone surrogate, a control character in
 * a string, a number of over 63 characters, nesting deeper than 200 and
 * whitespace other than space, tab, CR and LF.
 */
cJSON *json_parse_strict(const char *text, size_t length);

#endif
