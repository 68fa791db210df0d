#ifndef TRUNKCTL_RECONCILE_INTERNAL_H
#define TRUNKCTL_RECONCILE_INTERNAL_H

/*
 * Helpers shared by the files of reconcile/ and not part of its public
 * interface: a growable text buffer, time stamps, SHA-256 in hex and
 * atomic file writes.
 */

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include <cjson/cJSON.h>

/* A NUL-terminated text that grows as it is appended to. */
struct textbuf {
	char *data;
	size_t len;
	size_t cap;
	int error;      /* the first failure; later appends do nothing */
};

#define TEXTBUF_INIT { NULL, 0, 0, 0 }

void textbuf_append(struct textbuf *buf, const char *text, size_t len);
void textbuf_puts(struct textbuf *buf, const char *text);
void textbuf_printf(struct textbuf *buf, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void textbuf_release(struct textbuf *buf);

/* Appends `text` escaped for a Markdown table cell: Markdown punctuation
 * gets a backslash and a line break becomes <br>. */
void textbuf_put_markdown(struct textbuf *buf, const char *text);

/* Appends a Prometheus label value escaped as the text exposition format
 * requires: backslash, double quote and line feed. */
void textbuf_put_label_value(struct textbuf *buf, const char *value);

/*
 * Hands the text to the caller in `*out` (freed with free()) and empties
 * the buffer. Returns 0, or the buffer's recorded error.
 */
int textbuf_detach(struct textbuf *buf, char **out);

/* Adds `value` as a string member, or null when it is NULL. Returns
 * false when out of memory. */
bool json_add_text(cJSON *object, const char *key, const char *value);

/* Adds `item` as a member, taking it over: it is deleted when it cannot
 * be added. A NULL item (a failed build) returns false. */
bool json_attach(cJSON *object, const char *key, cJSON *item);

/* Milliseconds since the Unix epoch, from CLOCK_REALTIME. */
long long clock_now_ms(void);

/* Formats `ms` as "2026-12-04T16:20:00.000Z" (25 bytes with the NUL). */
void format_time_ms(long long ms, char out[32]);

/* SHA-256 of `data` as 64 lower-case hex digits and a NUL. */
int sha256_hex(const void *data, size_t len, char hex[65]);

/* Whether `text` is 64 lower-case hex digits. */
bool is_sha256_hex(const char *text);

/*
 * Writes `data` to `path` through a temporary file in the same folder
 * (created with O_EXCL and `mode`), fsyncs it and renames it over `path`,
 * so readers see the old file or the whole new one.
 */
int write_file_atomic(const char *path, const char *data, size_t len,
		      mode_t mode);

/* Reads a whole file into a NUL-terminated buffer of at most `max` bytes. */
int read_file_limited(const char *path, size_t max, char **out,
		      size_t *len);

#endif
