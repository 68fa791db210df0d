/* Text buffers, time stamps, digests and file writes for reconcile/. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "model/error.h"
#include "reconcile/internal.h"

static bool textbuf_reserve(struct textbuf *buf, size_t extra)
{
	size_t need, cap;
	char *data;

	if (buf->error)
		return false;
	need = buf->len + extra + 1;
	if (need <= buf->cap)
		return true;
	cap = buf->cap ? buf->cap : 256;
	while (cap < need)
		cap *= 2;
	data = realloc(buf->data, cap);
	if (!data) {
		buf->error = error_set(TRUNKCTL_ENOMEM, "out of memory");
		return false;
	}
	buf->data = data;
	buf->cap = cap;
	return true;
}

void textbuf_append(struct textbuf *buf, const char *text, size_t len)
{
	if (!textbuf_reserve(buf, len))
		return;
	memcpy(buf->data + buf->len, text, len);
	buf->len += len;
	buf->data[buf->len] = '\0';
}

void textbuf_puts(struct textbuf *buf, const char *text)
{
	textbuf_append(buf, text, strlen(text));
}

void textbuf_printf(struct textbuf *buf, const char *fmt, ...)
{
	va_list ap;
	int len;

	va_start(ap, fmt);
	len = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (len < 0 || !textbuf_reserve(buf, (size_t)len))
		return;

	va_start(ap, fmt);
	vsnprintf(buf->data + buf->len, (size_t)len + 1, fmt, ap);
	va_end(ap);
	buf->len += (size_t)len;
}

bool json_add_text(cJSON *object, const char *key, const char *value)
{
	if (!value)
		return cJSON_AddNullToObject(object, key) != NULL;
	return cJSON_AddStringToObject(object, key, value) != NULL;
}

bool json_attach(cJSON *object, const char *key, cJSON *item)
{
	if (item && cJSON_AddItemToObject(object, key, item))
		return true;
	cJSON_Delete(item);
	return false;
}

void textbuf_put_markdown(struct textbuf *buf, const char *text)
{
	for (; *text; text++) {
		if (*text == '\n')
			textbuf_puts(buf, "<br>");
		else if (strchr("\\`*_[]<>|#~&", *text))
			textbuf_printf(buf, "\\%c", *text);
		else
			textbuf_append(buf, text, 1);
	}
}

void textbuf_put_label_value(struct textbuf *buf, const char *value)
{
	for (; *value; value++) {
		if (*value == '\\')
			textbuf_puts(buf, "\\\\");
		else if (*value == '"')
			textbuf_puts(buf, "\\\"");
		else if (*value == '\n')
			textbuf_puts(buf, "\\n");
		else
			textbuf_append(buf, value, 1);
	}
}

void textbuf_release(struct textbuf *buf)
{
	free(buf->data);
	buf->data = NULL;
	buf->len = buf->cap = 0;
	buf->error = 0;
}

int textbuf_detach(struct textbuf *buf, char **out)
{
	int rc = buf->error;

	*out = NULL;
	if (!rc && !buf->data)
		textbuf_reserve(buf, 0);
	rc = buf->error;
	if (rc) {
		textbuf_release(buf);
		return rc;
	}
	buf->data[buf->len] = '\0';
	*out = buf->data;
	buf->data = NULL;
	buf->len = buf->cap = 0;
	return 0;
}

long long clock_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void format_time_ms(long long ms, char out[32])
{
	time_t seconds = (time_t)(ms / 1000);
	struct tm tm;
	size_t len;

	gmtime_r(&seconds, &tm);
	len = strftime(out, 32, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(out + len, 32 - len, ".%03uZ", (unsigned)(ms % 1000) % 1000u);
}

int sha256_hex(const void *data, size_t len, char hex[65])
{
	unsigned char digest[EVP_MAX_MD_SIZE];
	unsigned int digest_len = 0;
	unsigned int i;

	if (!EVP_Digest(data, len, digest, &digest_len, EVP_sha256(), NULL) ||
	    digest_len != 32)
		return error_set(TRUNKCTL_ERROR, "SHA-256 failed");
	for (i = 0; i < digest_len; i++)
		snprintf(hex + 2 * i, 3, "%02x", digest[i]);
	return 0;
}

bool is_sha256_hex(const char *text)
{
	size_t i;

	for (i = 0; i < 64; i++)
		if (!((text[i] >= '0' && text[i] <= '9') ||
		      (text[i] >= 'a' && text[i] <= 'f')))
			return false;
	return text[64] == '\0';
}

static int write_all(int fd, const char *data, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, data, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		data += n;
		len -= (size_t)n;
	}
	return 0;
}

int write_file_atomic(const char *path, const char *data, size_t len,
		      mode_t mode)
{
	size_t path_len = strlen(path);
	char *temp = malloc(path_len + sizeof(".tmp.XXXXXX"));
	int fd = -1, rc = 0;

	if (!temp)
		return error_set(TRUNKCTL_ENOMEM, "out of memory");
	memcpy(temp, path, path_len);
	memcpy(temp + path_len, ".tmp.XXXXXX", sizeof(".tmp.XXXXXX"));

	/* mkstemp opens with O_CREAT|O_EXCL and mode 0600. */
	fd = mkstemp(temp);
	if (fd < 0) {
		rc = error_set(TRUNKCTL_EIO, "cannot create '%s': %s", temp,
			       strerror(errno));
		goto done;
	}
	if (fchmod(fd, mode) < 0 || write_all(fd, data, len) < 0 ||
	    fsync(fd) < 0) {
		rc = error_set(TRUNKCTL_EIO, "cannot write '%s': %s", temp,
			       strerror(errno));
		goto done;
	}
	if (close(fd) < 0) {
		fd = -1;
		rc = error_set(TRUNKCTL_EIO, "cannot write '%s': %s", temp,
			       strerror(errno));
		goto done;
	}
	fd = -1;
	if (rename(temp, path) < 0)
		rc = error_set(TRUNKCTL_EIO, "cannot rename '%s' to '%s': %s",
			       temp, path, strerror(errno));

done:
	if (fd >= 0)
		close(fd);
	if (rc)
		unlink(temp);
	free(temp);
	return rc;
}

int read_file_limited(const char *path, size_t max, char **out,
		      size_t *len)
{
	FILE *file = fopen(path, "rb");
	struct textbuf buf = TEXTBUF_INIT;
	char chunk[8192];
	size_t n;
	int rc = 0;

	*out = NULL;
	if (!file)
		return error_set(errno == ENOENT ? TRUNKCTL_ENOTFOUND
						 : TRUNKCTL_EIO,
				 "cannot open '%s': %s", path, strerror(errno));
	while ((n = fread(chunk, 1, sizeof(chunk), file)) > 0) {
		if (buf.len + n > max) {
			rc = error_set(TRUNKCTL_EINVALID,
				       "'%s' is larger than %zu bytes", path,
				       max);
			break;
		}
		textbuf_append(&buf, chunk, n);
	}
	if (!rc && ferror(file))
		rc = error_set(TRUNKCTL_EIO, "cannot read '%s': %s", path,
			       strerror(errno));
	fclose(file);
	if (rc) {
		textbuf_release(&buf);
		return rc;
	}
	if (len)
		*len = buf.len;
	return textbuf_detach(&buf, out);
}
