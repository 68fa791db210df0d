#include <arpa/inet.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "model/error.h"
#include "model/manifest_internal.h"

static const char *const codec_names[] = { "PCMU", "PCMA", "G729", "G722" };
#define CODEC_COUNT (sizeof(codec_names) / sizeof(codec_names[0]))

/* The type the YAML 1.2 core schema gives a plain scalar. */
enum scalar_type {
	SCALAR_NULL,
	SCALAR_BOOL,
	SCALAR_INT,
	SCALAR_FLOAT,
	SCALAR_STRING,
};

static int add_diagnostic(struct manifest_context *ctx,
			  enum diag_severity severity,
			  const struct yaml_tree_node *node, const char *fmt,
			  va_list ap)
{
	int rc;

	rc = diag_addv(ctx->diags, severity, ctx->source, node->line,
		       node->column, fmt, ap);
	return rc < 0 ? rc : TRUNKCTL_EINVALID;
}

int manifest_error(struct manifest_context *ctx,
		   const struct yaml_tree_node *node, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = add_diagnostic(ctx, DIAG_ERROR, node, fmt, ap);
	va_end(ap);
	return rc;
}

int manifest_warning(struct manifest_context *ctx,
		     const struct yaml_tree_node *node, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = add_diagnostic(ctx, DIAG_WARNING, node, fmt, ap);
	va_end(ap);
	return rc == TRUNKCTL_EINVALID ? 0 : rc;
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool one_of(const char *text, const char *const *forms, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(text, forms[i]) == 0)
			return true;
	return false;
}

static bool is_hex_digit(char c)
{
	return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* Decimal with an optional sign, or the core schema's 0x and 0o forms. */
static bool is_int(const char *s)
{
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'o')) {
		bool hex = s[1] == 'x';

		s += 2;
		if (!*s)
			return false;
		while (hex ? is_hex_digit(*s) : (*s >= '0' && *s <= '7'))
			s++;
		return *s == '\0';
	}
	if (*s == '+' || *s == '-')
		s++;
	if (!is_digit(*s))
		return false;
	while (is_digit(*s))
		s++;
	return *s == '\0';
}

static bool is_float(const char *s)
{
	static const char *const special[] = { ".inf", ".Inf", ".INF",
					       ".nan", ".NaN", ".NAN" };
	bool digits = false;

	if (*s == '+' || *s == '-')
		s++;
	if (one_of(s, special, 6))
		return true;
	while (is_digit(*s)) {
		s++;
		digits = true;
	}
	if (*s == '.')
		for (s++; is_digit(*s); s++)
			digits = true;
	if (!digits)
		return false;
	if (*s == 'e' || *s == 'E') {
		s++;
		if (*s == '+' || *s == '-')
			s++;
		if (!is_digit(*s))
			return false;
		while (is_digit(*s))
			s++;
	}
	return *s == '\0';
}

static enum scalar_type classify(const struct yaml_tree_node *node)
{
	static const char *const bools[] = { "true", "True", "TRUE",
					     "false", "False", "FALSE" };
	char first;

	if (!node->plain)
		return SCALAR_STRING;
	if (yaml_tree_is_null(node))
		return SCALAR_NULL;
	first = node->value[0];
	if ((first == 't' || first == 'T' || first == 'f' || first == 'F') &&
	    one_of(node->value, bools, 6))
		return SCALAR_BOOL;
	if (is_int(node->value))
		return SCALAR_INT;
	if (is_float(node->value))
		return SCALAR_FLOAT;
	return SCALAR_STRING;
}

const char *manifest_describe(const struct yaml_tree_node *node,
			      char *buffer, size_t size)
{
	char quoted[48];

	if (node->kind == YAML_TREE_MAPPING)
		return "a mapping";
	if (node->kind == YAML_TREE_SEQUENCE)
		return "a list";

	diag_quote(quoted, sizeof(quoted), node->value, node->length);
	switch (classify(node)) {
	case SCALAR_NULL:
		return "null";
	case SCALAR_BOOL:
		snprintf(buffer, size, "the boolean %s", quoted);
		break;
	case SCALAR_INT:
		snprintf(buffer, size, "the integer %s", quoted);
		break;
	case SCALAR_FLOAT:
		snprintf(buffer, size, "the number %s", quoted);
		break;
	default:
		snprintf(buffer, size, "a string \"%s\"", quoted);
		break;
	}
	return buffer;
}

int manifest_read_string(struct manifest_context *ctx,
			 const struct yaml_tree_node *node, const char *field,
			 char **out)
{
	char what[96];

	if (node->kind != YAML_TREE_SCALAR || yaml_tree_is_null(node))
		return manifest_error(ctx, node,
				      "%s: expected a string, got %s", field,
				      manifest_describe(node, what,
							sizeof(what)));
	if (strlen(node->value) != node->length)
		return manifest_error(ctx, node, "%s: the string contains a "
				      "NUL character", field);

	*out = malloc(node->length + 1);
	if (!*out)
		return error_set(TRUNKCTL_ENOMEM, "out of memory");
	memcpy(*out, node->value, node->length + 1);
	return 0;
}

/* Parses a decimal integer, setting *overflow when it exceeds a long. */
static long parse_decimal(const char *s, bool *overflow)
{
	bool negative = *s == '-';
	unsigned long value = 0, limit;

	limit = negative ? (unsigned long)LONG_MAX + 1 : LONG_MAX;
	*overflow = false;
	if (*s == '+' || *s == '-')
		s++;
	for (; *s; s++) {
		unsigned digit = (unsigned)(*s - '0');

		if (value > (limit - digit) / 10) {
			*overflow = true;
			return 0;
		}
		value = value * 10 + digit;
	}
	if (negative)
		return value == limit ? LONG_MIN : -(long)value;
	return (long)value;
}

/*
 * Sets `*value` and returns true for a plain scalar of one to nine
 * decimal digits without a leading zero, the form of nearly every
 * integer in a manifest. The core schema reads that as an integer, so
 * the general checks of read_general_int() would pass it.
 */
static bool read_small_decimal(const struct yaml_tree_node *node,
			       long *value)
{
	const char *s = node->value;
	size_t i;

	if (!node->plain || node->length == 0 || node->length > 9 ||
	    (s[0] == '0' && node->length > 1))
		return false;
	*value = 0;
	for (i = 0; i < node->length; i++) {
		if (!is_digit(s[i]))
			return false;
		*value = *value * 10 + (s[i] - '0');
	}
	return true;
}

/*
 * Reads any integer form of the core schema, rejecting those that are
 * not decimal. Sets `*overflow` when the value exceeds a long.
 */
static int read_general_int(struct manifest_context *ctx,
			    const struct yaml_tree_node *node,
			    const char *field, long *value, bool *overflow)
{
	const char *digits;
	char what[96];

	if (node->kind != YAML_TREE_SCALAR || classify(node) != SCALAR_INT)
		return manifest_error(ctx, node,
				      "%s: expected an integer, got %s", field,
				      manifest_describe(node, what,
							sizeof(what)));

	digits = node->value + (node->value[0] == '+' ||
				node->value[0] == '-');
	if (digits[0] == '0' && digits[1] != '\0')
		return manifest_error(ctx, node, "%s: write '%s' in decimal "
				      "without leading zeros", field,
				      diag_quote(what, sizeof(what),
						 node->value, node->length));

	*value = parse_decimal(node->value, overflow);
	return 0;
}

int manifest_read_int(struct manifest_context *ctx,
		      const struct yaml_tree_node *node, const char *field,
		      long min, long max, int *out)
{
	bool overflow = false;
	char what[96];
	long value = 0;
	int rc;

	if (node->kind != YAML_TREE_SCALAR ||
	    !read_small_decimal(node, &value)) {
		rc = read_general_int(ctx, node, field, &value, &overflow);
		if (rc < 0)
			return rc;
	}
	if (overflow || value < min || value > max)
		return manifest_error(ctx, node, "%s must be between %ld and "
				      "%ld, got %s", field, min, max,
				      diag_quote(what, sizeof(what),
						 node->value, node->length));
	*out = (int)value;
	return 0;
}

/* Returns the YAML 1.2 spelling of a YAML 1.1 boolean, or NULL. */
static const char *yaml11_boolean(const char *text)
{
	static const char *const yes[] = { "y", "Y", "yes", "Yes", "YES",
					   "on", "On", "ON" };
	static const char *const no[] = { "n", "N", "no", "No", "NO",
					  "off", "Off", "OFF" };

	if (one_of(text, yes, 8))
		return "true";
	if (one_of(text, no, 8))
		return "false";
	return NULL;
}

int manifest_read_bool(struct manifest_context *ctx,
		       const struct yaml_tree_node *node, const char *field,
		       bool *out)
{
	const char *spelling;
	char what[96];

	if (node->kind == YAML_TREE_SCALAR && classify(node) == SCALAR_BOOL) {
		*out = node->value[0] == 't' || node->value[0] == 'T';
		return 0;
	}
	spelling = node->kind == YAML_TREE_SCALAR && node->plain ?
			   yaml11_boolean(node->value) :
			   NULL;
	if (spelling)
		return manifest_error(ctx, node, "%s: expected true or false, "
				      "got '%s' (a YAML 1.1 boolean); write "
				      "%s", field, node->value, spelling);
	return manifest_error(ctx, node, "%s: expected true or false, got %s",
			      field, manifest_describe(node, what,
						       sizeof(what)));
}

static void free_strings(char **list, size_t count)
{
	size_t i;

	if (!list)
		return;
	for (i = 0; i < count; i++)
		free(list[i]);
	free(list);
}

/* Returns the index of a known codec, matched ignoring case, or -1. */
static int find_codec(const struct yaml_tree_node *item)
{
	size_t i;

	if (item->kind != YAML_TREE_SCALAR)
		return -1;
	for (i = 0; i < CODEC_COUNT; i++)
		if (strcasecmp(item->value, codec_names[i]) == 0)
			return (int)i;
	return -1;
}

static int read_codec(struct manifest_context *ctx,
		      const struct yaml_tree_node *item,
		      const struct yaml_tree_node **seen, char **out)
{
	char what[96];
	int k;

	if (item->kind != YAML_TREE_SCALAR || yaml_tree_is_null(item))
		return manifest_error(ctx, item, "codecs: expected a codec "
				      "name, got %s",
				      manifest_describe(item, what,
							sizeof(what)));
	k = find_codec(item);
	if (k < 0)
		return manifest_error(ctx, item, "unknown codec '%s'; expected "
				      "PCMU, PCMA, G729 or G722",
				      diag_quote(what, sizeof(what),
						 item->value, item->length));
	if (seen[k])
		return manifest_error(ctx, item, "duplicate codec '%s' (first "
				      "at line %d, column %d)",
				      codec_names[k], seen[k]->line,
				      seen[k]->column);
	seen[k] = item;
	*out = strdup(codec_names[k]);
	return *out ? 0 : error_set(TRUNKCTL_ENOMEM, "out of memory");
}

int manifest_read_codecs(struct manifest_context *ctx,
			 const struct yaml_tree_node *node, char ***codecs,
			 size_t *count)
{
	const struct yaml_tree_node *seen[CODEC_COUNT] = { 0 };
	char **list = NULL;
	char what[96];
	size_t i, n = 0;
	int rc = 0, item_rc;

	if (node->kind != YAML_TREE_SEQUENCE)
		return manifest_error(ctx, node, "codecs: expected a list, "
				      "got %s",
				      manifest_describe(node, what,
							sizeof(what)));
	if (node->count == 0)
		return manifest_error(ctx, node, "codecs: at least one codec "
				      "is required");

	list = calloc(node->count, sizeof(*list));
	if (!list)
		return error_set(TRUNKCTL_ENOMEM, "out of memory");
	for (i = 0; i < node->count; i++) {
		item_rc = read_codec(ctx, node->items[i], seen, &list[n]);
		if (item_rc == 0)
			n++;
		else if (rc != TRUNKCTL_ENOMEM)
			rc = item_rc;
	}

	if (rc < 0) {
		free_strings(list, n);
		return rc;
	}
	*codecs = list;
	*count = n;
	return 0;
}

/* Checks "1".."65535" and returns the port, or 0. */
static unsigned parse_port(const char *text)
{
	unsigned long value = 0;
	size_t i;

	for (i = 0; text[i]; i++) {
		if (!is_digit(text[i]) || i == 5)
			return 0;
		value = value * 10 + (unsigned)(text[i] - '0');
	}
	return value <= 65535 ? (unsigned)value : 0;
}

static int check_ipv4(const char *host, char *reason, size_t size)
{
	const char *p = host;
	int octets = 0;

	for (;;) {
		unsigned value = 0;
		size_t n;

		/* Four digits are enough, because more are an error. */
		for (n = 0; is_digit(p[n]); n++)
			if (n < 4)
				value = value * 10 + (unsigned)(p[n] - '0');

		if (n == 0 || n > 3 || value > 255 || (n > 1 && *p == '0')) {
			snprintf(reason, size, "'%s' is not a valid IPv4 "
				 "address: octet '%.*s' is not a number from "
				 "0 to 255", host, (int)n, p);
			return -1;
		}
		octets++;
		p += n;
		if (*p != '.')
			break;
		p++;
	}
	if (octets == 4)
		return 0;
	snprintf(reason, size, "'%s' is not a valid IPv4 address: expected "
		 "four octets", host);
	return -1;
}

static bool is_label_character(char c)
{
	return is_digit(c) || (c >= 'a' && c <= 'z') ||
	       (c >= 'A' && c <= 'Z') || c == '-';
}

/* Checks a host name of RFC 1123 labels, `length` bytes long. */
static int check_hostname(const char *host, size_t length, char *reason,
			  size_t size)
{
	const char *p = host;

	if (length > 253) {
		snprintf(reason, size, "host name is longer than 253 "
			 "characters");
		return -1;
	}
	for (;;) {
		size_t n = 0;

		while (is_label_character(p[n]))
			n++;

		if (p[n] != '.' && p[n] != '\0') {
			snprintf(reason, size, "'%s' is not a valid host name: "
				 "only letters, digits, '-' and '.' are "
				 "allowed", host);
			return -1;
		}
		if (n == 0 || n > 63 || p[0] == '-' || p[n - 1] == '-') {
			snprintf(reason, size, "'%s' is not a valid host name: "
				 "each label has 1 to 63 letters, digits or "
				 "'-', and no '-' at either end", host);
			return -1;
		}
		if (p[n] == '\0')
			return 0;
		p += n + 1;
	}
}

static int check_port(const char *text, char *reason, size_t size,
		      unsigned *port)
{
	*port = parse_port(text);
	if (*port)
		return 0;
	snprintf(reason, size, "port '%s' is not a number from 1 to 65535",
		 text);
	return -1;
}

/*
 * Writes "HOST:PORT", or "[HOST]:PORT" with `brackets`, to `key`, and
 * cuts it to `key_size` bytes with the NUL as snprintf() would. Every
 * valid endpoint needs a key, and snprintf() was 40% of the check.
 */
static void write_key(char *key, size_t key_size, const char *host,
		      size_t length, bool brackets, unsigned port)
{
	char text[300], digits[10];
	size_t used = 0, count = 0;

	if (key_size == 0)
		return;
	if (brackets)
		text[used++] = '[';
	memcpy(text + used, host, length);
	used += length;
	if (brackets)
		text[used++] = ']';
	text[used++] = ':';
	do {
		digits[count++] = (char)('0' + port % 10);
		port /= 10;
	} while (port);
	while (count)
		text[used++] = digits[--count];

	if (used > key_size - 1)
		used = key_size - 1;
	memcpy(key, text, used);
	key[used] = '\0';
}

static int check_bracketed(const char *text, char *reason, size_t size,
			   char *key, size_t key_size)
{
	const char *close = strchr(text, ']');
	char host[INET6_ADDRSTRLEN + 1], canonical[INET6_ADDRSTRLEN];
	struct in6_addr address;
	size_t length;
	unsigned port;

	if (!close) {
		snprintf(reason, size, "missing ']' after the IPv6 address");
		return -1;
	}
	length = (size_t)(close - text - 1);
	if (close[1] != ':') {
		snprintf(reason, size, "missing ':PORT' after ']'");
		return -1;
	}
	if (length < sizeof(host)) {
		memcpy(host, text + 1, length);
		host[length] = '\0';
	}
	if (length >= sizeof(host) ||
	    inet_pton(AF_INET6, host, &address) != 1) {
		snprintf(reason, size, "'%.*s' is not a valid IPv6 address",
			 (int)length, text + 1);
		return -1;
	}
	if (check_port(close + 2, reason, size, &port) < 0)
		return -1;

	if (key) {
		inet_ntop(AF_INET6, &address, canonical, sizeof(canonical));
		write_key(key, key_size, canonical, strlen(canonical), true,
			  port);
	}
	return 0;
}

int manifest_check_endpoint(const char *text, char *reason,
			    size_t reason_size, char *key, size_t key_size)
{
	const char *colon = strrchr(text, ':');
	char host[260];
	size_t length, i;
	unsigned port;

	if (text[0] == '[')
		return check_bracketed(text, reason, reason_size, key,
				       key_size);
	if (!colon) {
		snprintf(reason, reason_size, "no port; write HOST:PORT, such "
			 "as '%s:5060'", text);
		return -1;
	}
	if (strchr(text, ':') != colon) {
		snprintf(reason, reason_size, "an IPv6 address needs "
			 "brackets, such as '[2001:db8::1]:5060'");
		return -1;
	}
	length = (size_t)(colon - text);
	if (length == 0 || length >= sizeof(host)) {
		snprintf(reason, reason_size, length ? "host name is longer "
			 "than 253 characters" : "no host before ':'");
		return -1;
	}
	memcpy(host, text, length);
	host[length] = '\0';

	if (check_port(colon + 1, reason, reason_size, &port) < 0)
		return -1;
	for (i = 0; i < length && (is_digit(host[i]) || host[i] == '.'); i++)
		;
	if (i == length ? check_ipv4(host, reason, reason_size) < 0 :
			  check_hostname(host, length, reason,
					 reason_size) < 0)
		return -1;

	if (key) {
		for (i = 0; i < length; i++)
			if (host[i] >= 'A' && host[i] <= 'Z')
				host[i] = (char)(host[i] - 'A' + 'a');
		write_key(key, key_size, host, length, false, port);
	}
	return 0;
}

static int compare_keyed(const void *pa, const void *pb)
{
	const struct manifest_keyed_item *a = pa, *b = pb;
	int c = strcmp(a->key, b->key);

	if (c)
		return c;
	return a->index < b->index ? -1 : a->index > b->index;
}

int manifest_report_repeats(struct manifest_context *ctx,
			    struct manifest_keyed_item *items, size_t count,
			    const char *what)
{
	char quoted[96];
	size_t first = 0, i;
	int rc = 0;

	if (count < 2)
		return 0;
	qsort(items, count, sizeof(*items), compare_keyed);
	for (i = 1; i < count; i++) {
		if (strcmp(items[first].key, items[i].key) != 0) {
			first = i;
			continue;
		}
		rc = manifest_error(ctx, items[i].node, "duplicate %s '%s' "
				    "(first at line %d, column %d)", what,
				    diag_quote(quoted, sizeof(quoted),
					       items[i].node->value,
					       items[i].node->length),
				    items[first].node->line,
				    items[first].node->column);
		if (rc == TRUNKCTL_ENOMEM)
			break;
	}
	return rc;
}

#define ENDPOINT_KEY_SIZE 300

/*
 * Lists of up to this many endpoints keep their keys on the stack. That
 * saves an allocation and a free for each endpoint of a typical trunk.
 */
#define STACK_ENDPOINTS 4

/*
 * Reads one endpoint into `out` and its key into `keyed`. The key is
 * written to `slot`, of ENDPOINT_KEY_SIZE bytes, or allocated when
 * `slot` is NULL.
 */
static int read_endpoint(struct manifest_context *ctx,
			 const struct yaml_tree_node *item, char **out,
			 struct manifest_keyed_item *keyed, char *slot)
{
	char reason[400], key[ENDPOINT_KEY_SIZE], quoted[96];
	int rc;

	rc = manifest_read_string(ctx, item, "sipEndpoints", out);
	if (rc < 0)
		return rc;
	if (manifest_check_endpoint(*out, reason, sizeof(reason),
				    slot ? slot : key, ENDPOINT_KEY_SIZE) < 0)
		return manifest_error(ctx, item, "invalid SIP endpoint '%s': "
				      "%s",
				      diag_quote(quoted, sizeof(quoted),
						 item->value, item->length),
				      reason);
	keyed->key = slot ? slot : strdup(key);
	keyed->node = item;
	return keyed->key ? 0 : error_set(TRUNKCTL_ENOMEM, "out of memory");
}

int manifest_read_endpoints(struct manifest_context *ctx,
			    const struct yaml_tree_node *node,
			    char ***endpoints, size_t *count)
{
	struct manifest_keyed_item stack_keyed[STACK_ENDPOINTS];
	char stack_keys[STACK_ENDPOINTS][ENDPOINT_KEY_SIZE];
	struct manifest_keyed_item *keyed = stack_keyed;
	char **list = NULL;
	char what[96];
	size_t i, n = 0;
	int rc = 0, item_rc;

	if (node->kind != YAML_TREE_SEQUENCE)
		return manifest_error(ctx, node, "sipEndpoints: expected a "
				      "list, got %s",
				      manifest_describe(node, what,
							sizeof(what)));
	if (node->count == 0)
		return manifest_error(ctx, node, "sipEndpoints: at least one "
				      "SIP endpoint is required");

	list = calloc(node->count, sizeof(*list));
	if (node->count > STACK_ENDPOINTS)
		keyed = calloc(node->count, sizeof(*keyed));
	if (!list || !keyed) {
		rc = error_set(TRUNKCTL_ENOMEM, "out of memory");
		goto done;
	}
	for (i = 0; i < node->count && rc != TRUNKCTL_ENOMEM; i++) {
		keyed[n].index = i;
		item_rc = read_endpoint(ctx, node->items[i], &list[n],
					&keyed[n],
					keyed == stack_keyed ? stack_keys[n] :
							       NULL);
		if (item_rc == 0)
			n++;
		else if (rc == 0 || item_rc == TRUNKCTL_ENOMEM)
			rc = item_rc;
		if (item_rc < 0) {
			free(list[n]);
			list[n] = NULL;
		}
	}
	if (rc == 0 || rc == TRUNKCTL_EINVALID) {
		item_rc = manifest_report_repeats(ctx, keyed, n,
						  "SIP endpoint");
		if (item_rc < 0)
			rc = item_rc;
	}

done:
	if (keyed != stack_keyed) {
		for (i = 0; keyed && i < n; i++)
			free(keyed[i].key);
		free(keyed);
	}
	if (rc < 0) {
		free_strings(list, n);
		return rc;
	}
	*endpoints = list;
	*count = n;
	return 0;
}

static char tolower_ascii(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

/* Levenshtein distance ignoring ASCII case, for strings under 64 bytes. */
static size_t edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), i, j;
	size_t row[65], previous, saved;

	for (j = 0; j <= lb; j++)
		row[j] = j;
	for (i = 1; i <= la; i++) {
		previous = row[0];
		row[0] = i;
		for (j = 1; j <= lb; j++) {
			size_t cost = tolower_ascii(a[i - 1]) !=
				      tolower_ascii(b[j - 1]);
			size_t best = previous + cost;

			if (row[j] + 1 < best)
				best = row[j] + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			saved = row[j];
			row[j] = best;
			previous = saved;
		}
	}
	return row[lb];
}

const char *manifest_suggest_key(const char *key, const char *const *known,
				 size_t count)
{
	size_t length = strlen(key), best_score = 4, i;
	const char *best = NULL;

	if (length >= 64)
		return NULL;
	for (i = 0; i < count; i++) {
		size_t known_length = strlen(known[i]);
		size_t shorter = length < known_length ? length : known_length;
		size_t score = edit_distance(key, known[i]);

		if (score > 2 && shorter >= 3 &&
		    strncasecmp(key, known[i], shorter) == 0)
			score = 3;
		if (score < best_score) {
			best_score = score;
			best = known[i];
		}
	}
	return best_score <= 3 ? best : NULL;
}

/* Writes the known keys as "a, b, c"; built only for an error, since
 * every mapping of every manifest passes through manifest_check_keys. */
static const char *list_keys(char *out, size_t size,
			     const char *const *known, size_t count)
{
	size_t used = 0, j;

	out[0] = '\0';
	for (j = 0; j < count && used < size; j++)
		used += (size_t)snprintf(out + used, size - used, "%s%s",
					 j ? ", " : "", known[j]);
	return out;
}

/*
 * Returns the index of the known key equal to `key` by strcmp(), or
 * `count`. The search starts at `start` and wraps around, because
 * manifests tend to write keys in the order that `known` lists them.
 */
static size_t find_known(const char *key, const char *const *known,
			 size_t count, size_t start)
{
	size_t tried, j = start;

	for (tried = 0; tried < count; tried++) {
		if (key[0] == known[j][0] && strcmp(key, known[j]) == 0)
			return j;
		if (++j == count)
			j = 0;
	}
	return count;
}

int manifest_check_keys(struct manifest_context *ctx,
			const struct yaml_tree_node *mapping, const char *what,
			const char *const *known, size_t count,
			const struct yaml_tree_node **values)
{
	char quoted[96], expected[400];
	size_t i, j, next = 0;
	int rc = 0, key_rc;

	if (values)
		memset(values, 0, count * sizeof(*values));
	for (i = 0; i < mapping->count && rc != TRUNKCTL_ENOMEM; i++) {
		const struct yaml_tree_node *key = mapping->keys[i];
		const char *suggestion;

		if (key->kind != YAML_TREE_SCALAR) {
			rc = manifest_error(ctx, key, "%s: expected a key, got "
					    "%s", what,
					    manifest_describe(key, quoted,
							      sizeof(quoted)));
			continue;
		}
		j = find_known(key->value, known, count, next);
		/* A NUL byte cuts "name\0x" short: it is not "name". */
		if (j < count && strlen(known[j]) != key->length)
			j = count;
		if (j < count)
			next = j + 1 < count ? j + 1 : 0;
		if (j < count && values && !values[j])
			values[j] = mapping->items[i];
		if (j < count)
			continue;

		diag_quote(quoted, sizeof(quoted), key->value, key->length);
		/* Past the stored diagnostics only the count matters. */
		suggestion = NULL;
		if (ctx->diags->count < DIAG_MAX_STORED)
			suggestion = manifest_suggest_key(key->value, known,
							  count);
		if (suggestion)
			key_rc = manifest_error(ctx, key, "unknown key '%s' in "
						"%s; did you mean '%s'?",
						quoted, what, suggestion);
		else
			key_rc = manifest_error(ctx, key, "unknown key '%s' in "
						"%s; expected one of: %s",
						quoted, what,
						list_keys(expected,
							  sizeof(expected),
							  known, count));
		rc = key_rc;
	}
	return rc;
}
