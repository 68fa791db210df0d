#ifndef TRUNKCTL_TESTS_TEXT_GEN_H
#define TRUNKCTL_TESTS_TEXT_GEN_H

/*
 * Building generated test documents: a deterministic random generator
 * (xorshift64) and a text buffer that drops a piece that does not fit.
 */

#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct gen_text {
	char data[65536];
	size_t length;
};

static inline uint64_t gen_random(uint64_t *seed)
{
	*seed ^= *seed << 13;
	*seed ^= *seed >> 7;
	*seed ^= *seed << 17;
	return *seed;
}

/* Appends `piece` and keeps the text NUL-terminated. */
static inline void gen_put(struct gen_text *doc, const char *piece)
{
	size_t length = strlen(piece);

	if (doc->length + length < sizeof(doc->data)) {
		memcpy(doc->data + doc->length, piece, length);
		doc->length += length;
	}
	doc->data[doc->length] = '\0';
}

#endif
