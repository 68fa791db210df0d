/* Live trunks written back as a trunkctl/v1 manifest. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "model/error.h"
#include "model/export.h"
#include "model/log.h"
#include "model/utf8.h"
#include "version.h"

#define FILE_NAME_MAX 64

/* Plain words that YAML 1.1 or 1.2 reads as booleans or null. */
static const char *const reserved_words[] = {
	"y", "n", "yes", "no", "true", "false", "on", "off", "null",
};

static bool is_reserved_word(const char *text)
{
	size_t i;

	for (i = 0; i < sizeof(reserved_words) / sizeof(reserved_words[0]);
	     i++)
		if (strcasecmp(text, reserved_words[i]) == 0)
			return true;
	return false;
}

/*
 * Whether `text` reads back as itself as a plain scalar. Only a
 * conservative subset qualifies: it starts with an ASCII letter (so it
 * is no number, indicator or special value), contains letters, digits,
 * spaces and a few punctuation marks that mean nothing in a plain
 * scalar, and does not end with a space.
 */
static bool plain_is_safe(const char *text, bool flow)
{
	size_t len = strlen(text), i;

	if (len == 0 || !isalpha((unsigned char)text[0]) ||
	    text[len - 1] == ' ' || is_reserved_word(text))
		return false;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)text[i];

		if (isalnum(c) || strchr(" -_./()+=;'", c))
			continue;
		if (c == ',' && !flow)
			continue;
		return false;
	}
	return true;
}

/* Appends `text` double-quoted, escaping what YAML would misread. */
static void quote(FILE *out, const char *text, bool *replaced)
{
	const unsigned char *s = (const unsigned char *)text;
	size_t avail = strlen(text), n;

	fputc('"', out);
	while (avail > 0) {
		n = utf8_sequence_length(s, avail);
		if (n == 0) {
			fputs("\\uFFFD", out);
			if (replaced)
				*replaced = true;
			n = 1;
		} else if (*s == '"' || *s == '\\') {
			fprintf(out, "\\%c", *s);
		} else if (*s == '\n') {
			fputs("\\n", out);
		} else if (*s == '\t') {
			fputs("\\t", out);
		} else if (*s < 0x20 || *s == 0x7f) {
			fprintf(out, "\\u%04X", *s);
		} else if (n == 2 && s[0] == 0xc2 && s[1] < 0xa0) {
			/* C1 controls U+0080..U+009F, U+0085 included. */
			fprintf(out, "\\u%04X", s[1]);
		} else if (n == 3 && s[0] == 0xe2 && s[1] == 0x80 &&
			   (s[2] == 0xa8 || s[2] == 0xa9)) {
			/* U+2028 and U+2029 end a line in YAML. */
			fprintf(out, "\\u%04X", 0x2000 | (s[2] - 0x80));
		} else if (n == 3 && s[0] == 0xef && s[1] == 0xbb &&
			   s[2] == 0xbf) {
			fputs("\\uFEFF", out);
		} else {
			fwrite(s, 1, n, out);
		}
		s += n;
		avail -= n;
	}
	fputc('"', out);
}

char *export_yaml_scalar(const char *text, bool flow, bool *replaced)
{
	char *result = NULL;
	size_t size = 0;
	FILE *out;

	if (plain_is_safe(text, flow))
		return strdup(text);
	out = open_memstream(&result, &size);
	if (!out)
		return NULL;
	quote(out, text, replaced);
	if (fclose(out) != 0) {
		free(result);
		return NULL;
	}
	return result;
}

/* Writes "KEY: SCALAR\n" after `indent`; returns false when out of
 * memory. */
static bool put_scalar(FILE *out, const char *indent, const char *key,
		       const char *value, bool *replaced)
{
	char *scalar = export_yaml_scalar(value, false, replaced);

	if (!scalar)
		return false;
	fprintf(out, "%s%s: %s\n", indent, key, scalar);
	free(scalar);
	return true;
}

static bool put_list(FILE *out, const char *key, char *const *items,
		     size_t count, bool *replaced)
{
	char *scalar;
	size_t i;

	fprintf(out, "    %s: [", key);
	for (i = 0; i < count; i++) {
		scalar = export_yaml_scalar(items[i], true, replaced);
		if (!scalar)
			return false;
		fprintf(out, "%s%s", i ? ", " : "", scalar);
		free(scalar);
	}
	fputs("]\n", out);
	return true;
}

static void put_keepalive(FILE *out, const struct trunk_spec *spec)
{
	bool interval = spec->keepalive_interval !=
			TRUNK_DEFAULT_KEEPALIVE_INTERVAL;
	bool protocol = spec->keepalive_protocol != KEEPALIVE_SIP;

	if (!interval && !protocol)
		return;
	fputs("    keepAlive: {", out);
	if (interval)
		fprintf(out, "interval: %d", spec->keepalive_interval);
	if (protocol)
		fprintf(out, "%sprotocol: %s", interval ? ", " : "",
			keepalive_protocol_name(spec->keepalive_protocol));
	fputs("}\n", out);
}

static bool has_control(const char *text)
{
	for (; *text; text++)
		if ((unsigned char)*text < 0x20 || *text == 0x7f)
			return true;
	return false;
}

static bool put_trunk(FILE *out, const struct live_trunk *trunk)
{
	const struct trunk_spec *spec = &trunk->spec;
	bool replaced = false;

	if (!put_scalar(out, "  - ", "name", spec->name, &replaced) ||
	    (spec->description && spec->description[0] &&
	     !put_scalar(out, "    ", "description", spec->description,
			 &replaced)) ||
	    !put_list(out, "sipEndpoints", spec->sip_endpoints,
		      spec->sip_endpoint_count, &replaced) ||
	    !put_list(out, "codecs", spec->codecs, spec->codec_count,
		      &replaced))
		return false;
	fprintf(out, "    maxConcurrentCalls: %d\n", spec->max_concurrent_calls);
	if (spec->nat_traversal)
		fputs("    natTraversal: true\n", out);
	put_keepalive(out, spec);
	if (spec->sip_invite_timeout != TRUNK_DEFAULT_SIP_INVITE_TIMEOUT)
		fprintf(out, "    sipInviteTimeout: %d\n",
			spec->sip_invite_timeout);
	if (spec->rtp_timeout != TRUNK_DEFAULT_RTP_TIMEOUT)
		fprintf(out, "    rtpTimeout: %d\n", spec->rtp_timeout);
	if (trunk->status == TRUNK_STATUS_DISABLED)
		fputs("    state: inactive\n", out);

	if (replaced)
		log_warn("trunkctl: warning: trunk '%s' (id %s) has text that "
			 "is not UTF-8; the invalid bytes were written as "
			 "U+FFFD", spec->name, trunk->id);
	if (has_control(spec->name))
		log_warn("trunkctl: warning: trunk name '%s' (id %s) contains "
			 "a control character, which manifests reject; rename "
			 "the trunk", spec->name, trunk->id);
	if (spec->sip_endpoint_count == 0)
		log_warn("trunkctl: warning: trunk '%s' (id %s) has no SIP "
			 "endpoint; add one before the manifest can load",
			 spec->name, trunk->id);
	return true;
}

static bool put_edge(FILE *out, const struct edge_ref *edge)
{
	bool replaced = false;

	fputs("apiVersion: trunkctl/v1\nkind: EdgeTrunks\nedge:\n", out);
	if (edge->id && !put_scalar(out, "  ", "id", edge->id, &replaced))
		return false;
	if (edge->name &&
	    !put_scalar(out, "  ", "name", edge->name, &replaced))
		return false;
	if (edge->max_trunks > 0 && edge->max_trunks != EDGE_DEFAULT_MAX_TRUNKS)
		fprintf(out, "  maxTrunks: %d\n", edge->max_trunks);
	if (replaced)
		log_warn("trunkctl: warning: edge '%s' has a name that is not "
			 "UTF-8; the invalid bytes were written as U+FFFD",
			 edge->id);
	return true;
}

int export_render_manifest(const struct edge_ref *edge,
			   const struct live_trunk *trunks, size_t count,
			   char **out)
{
	char *text = NULL;
	size_t size = 0, live = 0, i;
	bool ok;
	FILE *stream;

	*out = NULL;
	stream = open_memstream(&text, &size);
	if (!stream)
		return error_set(TRUNKCTL_ENOMEM, "out of memory");
	fputs("# Exported by trunkctl " TRUNKCTL_VERSION " from the live "
	      "trunks of the edge below.\n"
	      "# Values equal to the defaults are left out.\n", stream);
	ok = put_edge(stream, edge);
	for (i = 0; i < count; i++)
		live += !trunks[i].deleted;
	fputs(live ? "trunks:\n" : "trunks: []\n", stream);
	for (i = 0, live = 0; ok && i < count; i++) {
		if (trunks[i].deleted)
			continue;
		if (live++ > 0)
			fputc('\n', stream);
		ok = put_trunk(stream, &trunks[i]);
	}
	if (fclose(stream) != 0 || !ok) {
		free(text);
		return error_set(TRUNKCTL_ENOMEM, "out of memory");
	}
	*out = text;
	return 0;
}

/* Appends the sanitised form of `text` to `out` (FILE_NAME_MAX + 1). */
static size_t sanitise(const char *text, char *out)
{
	size_t len = 0;
	bool dash = false;

	for (; text && *text && len < FILE_NAME_MAX; text++) {
		unsigned char c = (unsigned char)*text;

		if (c < 0x80 && (isalnum(c) || c == '_' ||
				 (c == '.' && len > 0))) {
			if (dash && len > 0)
				out[len++] = '-';
			if (len < FILE_NAME_MAX)
				out[len++] = (char)tolower(c);
			dash = false;
		} else {
			dash = true;
		}
	}
	while (len > 0 && (out[len - 1] == '-' || out[len - 1] == '.'))
		len--;
	out[len] = '\0';
	return len;
}

char *export_file_name(const char *edge_name, const char *edge_id)
{
	char base[FILE_NAME_MAX + 1];
	char *name;

	if (sanitise(edge_name, base) == 0 && sanitise(edge_id, base) == 0)
		strcpy(base, "edge");
	name = malloc(strlen(base) + sizeof(".yaml"));
	if (name)
		sprintf(name, "%s.yaml", base);
	return name;
}

static int write_all(int fd, const char *text, size_t len)
{
	ssize_t n;

	while (len > 0) {
		n = write(fd, text, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		text += n;
		len -= (size_t)n;
	}
	return 0;
}

int export_write_file(const char *path, const char *text, bool overwrite)
{
	size_t len = strlen(path);
	char *temp = malloc(len + sizeof(".tmp.XXXXXX"));
	int fd, rc = 0;

	if (!temp)
		return error_set(TRUNKCTL_ENOMEM, "out of memory");
	sprintf(temp, "%s.tmp.XXXXXX", path);
	fd = mkstemp(temp);     /* mode 0600 */
	if (fd < 0) {
		rc = error_set(TRUNKCTL_EIO, "cannot create '%s': %s", temp,
			       strerror(errno));
		free(temp);
		return rc;
	}
	if (write_all(fd, text, strlen(text)) < 0 || fsync(fd) < 0)
		rc = error_set(TRUNKCTL_EIO, "cannot write '%s': %s", temp,
			       strerror(errno));
	if (close(fd) < 0 && rc == 0)
		rc = error_set(TRUNKCTL_EIO, "cannot write '%s': %s", temp,
			       strerror(errno));
	/* link() fails when `path` exists, so nothing is replaced. */
	if (rc == 0 && overwrite && rename(temp, path) < 0)
		rc = error_set(TRUNKCTL_EIO, "cannot rename '%s' to '%s': %s",
			       temp, path, strerror(errno));
	else if (rc == 0 && !overwrite && link(temp, path) < 0)
		rc = errno == EEXIST
			     ? error_set(TRUNKCTL_ECONFLICT,
					 "'%s' exists; remove it, or pass "
					 "--force to replace it", path)
			     : error_set(TRUNKCTL_EIO,
					 "cannot create '%s': %s", path,
					 strerror(errno));
	if (rc < 0 || !overwrite)
		unlink(temp);
	free(temp);
	return rc;
}
