#include <stdint.h>
#include <string.h>

#include "model/utf8.h"

size_t utf8_sequence_length(const unsigned char *s, size_t avail)
{
	size_t need, i;
	uint32_t code;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		need = 2;
		code = s[0] & 0x1f;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		need = 3;
		code = s[0] & 0x0f;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		need = 4;
		code = s[0] & 0x07;
	} else {
		return 0;
	}
	if (avail < need)
		return 0;

	for (i = 1; i < need; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		code = (code << 6) | (s[i] & 0x3f);
	}
	if ((need == 3 && code < 0x800) || (need == 4 && code < 0x10000) ||
	    code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff))
		return 0;
	return need;
}

int utf8_validate(const char *text, size_t length, size_t *bad_offset)
{
	const unsigned char *s = (const unsigned char *)text;
	size_t i = 0;

	while (i < length) {
		uint64_t word;
		size_t n;

		/* Manifests are mostly ASCII: skip eight such bytes at once. */
		if (length - i >= sizeof(word)) {
			memcpy(&word, s + i, sizeof(word));
			if (!(word & 0x8080808080808080ULL)) {
				i += sizeof(word);
				continue;
			}
		}
		n = s[i] < 0x80 ? 1 : utf8_sequence_length(s + i, length - i);

		if (n == 0) {
			*bad_offset = i;
			return -1;
		}
		i += n;
	}
	return 0;
}
