#ifndef TRUNKCTL_MODEL_UTF8_H
#define TRUNKCTL_MODEL_UTF8_H

#include <stddef.h>

/*
 * Returns the length (1-4) of the well-formed UTF-8 sequence at `s`, of
 * which `avail` bytes are readable, or 0 when it is not well-formed:
 * overlong forms, surrogates and code points past U+10FFFF are rejected
 * as RFC 3629 requires.
 */
size_t utf8_sequence_length(const unsigned char *s, size_t avail);

/*
 * Checks that `text` is UTF-8. Returns 0, or -1 with the offset of the
 * first byte of the first ill-formed sequence in `*bad_offset`.
 */
int utf8_validate(const char *text, size_t length, size_t *bad_offset);

#endif
