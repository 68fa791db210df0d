/*
 * The trunk page decoder of trunk_page.h. The rules for each member are
 * those of live_trunk_from_json() (model/trunk_json.c) and of the pager
 * (http/paging.c). Where they report an error, this decoder declines,
 * so the page goes to them. unit_trunk_page compares the two paths on
 * generated and damaged pages.
 */
#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "http/json_lex.h"
#include "http/trunk_page.h"
#include "model/error.h"
#include "model/trunk_member.h"

#define DECLINED 1
#define SHORT_TEXT 64

#define NAME(text) { text, sizeof(text) - 1 }

/* The members of a page that the pager reads. */
enum page_member {
	P_ENTITIES,
	P_TOTAL,
	P_PAGE_NUMBER,
	P_PAGE_COUNT,
	P_PAGE_SIZE,
	P_NEXT_URI,
	PAGE_MEMBER_COUNT
};

static const struct trunk_member_name
page_member_names[PAGE_MEMBER_COUNT] = {
	NAME("entities"), NAME("total"), NAME("pageNumber"),
	NAME("pageCount"), NAME("pageSize"), NAME("nextUri"),
};

static int out_of_memory(void)
{
	return error_set(TRUNKCTL_ENOMEM, "out of memory");
}

/*
 * Whether the key at the opening quote at lex->p is `name`. If so, moves
 * past the closing quote.
 */
static bool take_key(struct json_lex *lex,
		     const struct trunk_member_name *name)
{
	const unsigned char *text = lex->p + 1;

	if (name->text[0] != text[0] ||
	    (size_t)(lex->end - text) <= name->length ||
	    text[name->length] != '"' ||
	    memcmp(name->text, text, name->length) != 0)
		return false;
	lex->p = text + name->length + 1;
	return true;
}

/* Takes the key at lex->p if it is one of `names`; returns its index. */
static int take_name(struct json_lex *lex,
		     const struct trunk_member_name *names, int count)
{
	int i;

	for (i = 0; i < count; i++)
		if (take_key(lex, &names[i]))
			return i;
	return -1;
}

/*
 * The trunk members by the first letter of their key, each plus one, so
 * that 0 ends a row.
 */
static const unsigned char members_by_letter[26][5] = {
	['c' - 'a'] = { TRUNK_MEMBER_CODECS + 1 },
	['d' - 'a'] = { TRUNK_MEMBER_DESCRIPTION + 1 },
	['e' - 'a'] = { TRUNK_MEMBER_EDGE + 1 },
	['i' - 'a'] = { TRUNK_MEMBER_ID + 1 },
	['k' - 'a'] = { TRUNK_MEMBER_KEEPALIVE_INTERVAL + 1,
			TRUNK_MEMBER_KEEPALIVE_PROTOCOL + 1 },
	['m' - 'a'] = { TRUNK_MEMBER_MAX_CALLS + 1 },
	['n' - 'a'] = { TRUNK_MEMBER_NAME + 1, TRUNK_MEMBER_NAT_TRAVERSAL + 1 },
	['r' - 'a'] = { TRUNK_MEMBER_RTP_TIMEOUT + 1 },
	['s' - 'a'] = { TRUNK_MEMBER_SIP_ENDPOINTS + 1,
			TRUNK_MEMBER_INVITE_TIMEOUT + 1,
			TRUNK_MEMBER_STATUS + 1, TRUNK_MEMBER_STATE + 1 },
	['v' - 'a'] = { TRUNK_MEMBER_VERSION + 1 },
};

/* Takes a key of a trunk member, trying only those of its first letter. */
static int take_member(struct json_lex *lex)
{
	unsigned char first = lex->p[1];
	const unsigned char *row;

	if (first < 'a' || first > 'z')
		return -1;
	for (row = members_by_letter[first - 'a']; *row; row++)
		if (take_key(lex, &trunk_member_names[*row - 1]))
			return *row - 1;
	return -1;
}

/* The one key of an edge that is read: its id. */
static int take_edge_member(struct json_lex *lex)
{
	return take_name(lex, trunk_member_names, 1);
}

static int take_page_member(struct json_lex *lex)
{
	return take_name(lex, page_member_names, PAGE_MEMBER_COUNT);
}

/*
 * Reads a key and its colon. Sets *index to what `take` returns for it,
 * -1 for a key it does not know. A key with an escape is declined
 * rather than decoded.
 */
static int read_key(struct json_lex *lex, int (*take)(struct json_lex *),
		    int *index)
{
	const unsigned char *text;
	size_t length;
	bool escaped;

	/* A key takes at least its two quotes. */
	if (!json_lex_at(lex, '"') || lex->end - lex->p < 2)
		return DECLINED;
	*index = take(lex);
	if (*index < 0 &&
	    (!json_lex_string(lex, &text, &length, &escaped) || escaped))
		return DECLINED;
	json_lex_space(lex);
	if (!json_lex_at(lex, ':'))
		return DECLINED;
	lex->p++;
	json_lex_space(lex);
	return 0;
}

/*
 * After a member's value: moves past the comma and sets *more, or past
 * the closing `close` and clears it.
 */
static int next_member(struct json_lex *lex, unsigned char close, bool *more)
{
	json_lex_space(lex);
	if (json_lex_at(lex, close)) {
		lex->p++;
		lex->depth--;
		*more = false;
		return 0;
	}
	if (!json_lex_at(lex, ','))
		return DECLINED;
	lex->p++;
	json_lex_space(lex);
	*more = true;
	return 0;
}

/* Opens a container at `open`; sets *more when it is not empty. */
static int open_container(struct json_lex *lex, unsigned char open,
			  unsigned char close, bool *more)
{
	if (!json_lex_at(lex, open) || ++lex->depth > JSON_LEX_MAX_DEPTH)
		return DECLINED;
	lex->p++;
	json_lex_space(lex);
	*more = true;
	if (json_lex_at(lex, close)) {
		lex->p++;
		lex->depth--;
		*more = false;
	}
	return 0;
}

static bool take_null(struct json_lex *lex)
{
	return json_lex_at(lex, 'n') && json_lex_literal(lex, "null", 4);
}

/*
 * Copies the `length` raw bytes of a string into `out`, which has room
 * for length + 1, decoding its escapes. Returns 0 or DECLINED.
 */
static int copy_text(const unsigned char *raw, size_t length, bool escaped,
		     char *out)
{
	if (escaped)
		return json_lex_unescape(raw, length, out) ? 0 : DECLINED;
	memcpy(out, raw, length);
	out[length] = '\0';
	return 0;
}

/* Reads a string into a new copy. */
static int read_string(struct json_lex *lex, char **out)
{
	const unsigned char *raw;
	size_t length;
	bool escaped;
	char *text;

	if (!json_lex_at(lex, '"') ||
	    !json_lex_string(lex, &raw, &length, &escaped))
		return DECLINED;
	if (!(text = malloc(length + 1)))
		return out_of_memory();
	if (copy_text(raw, length, escaped, text) != 0) {
		free(text);
		return DECLINED;
	}
	*out = text;
	return 0;
}

/*
 * Reads a string that is only compared: into `local` when it fits, else
 * into a new buffer at *heap, which the caller frees. Sets *text to the
 * result.
 */
static int read_text(struct json_lex *lex, char local[SHORT_TEXT],
		     char **heap, const char **text)
{
	const unsigned char *raw;
	size_t length;
	bool escaped;
	char *out = local;

	*heap = NULL;
	if (!json_lex_at(lex, '"') ||
	    !json_lex_string(lex, &raw, &length, &escaped))
		return DECLINED;
	if (length >= SHORT_TEXT) {
		out = *heap = malloc(length + 1);
		if (!out)
			return out_of_memory();
	}
	*text = out;
	return copy_text(raw, length, escaped, out);
}

/*
 * Reads a number member. As in live_trunk_from_json(), null keeps the
 * default.
 */
static int read_long(struct json_lex *lex, long min, long max, long *out)
{
	double value;

	if (take_null(lex))
		return 0;
	if (!json_lex_number(lex, &value) || value != floor(value) ||
	    value < (double)min || value > (double)max)
		return DECLINED;
	*out = (long)value;
	return 0;
}

static int read_int(struct json_lex *lex, int *out)
{
	long value = *out;
	int rc = read_long(lex, -2147483647L, 2147483647L, &value);

	*out = (int)value;
	return rc;
}

/* Reads a list of strings. An empty list gives an array of only NULL. */
static int read_strings(struct json_lex *lex, bool upper, char ***out,
			size_t *count)
{
	size_t alloc = 4, n = 0;
	char **list, **bigger, *p;
	bool more;
	int rc;

	if (take_null(lex))
		return 0;
	if ((rc = open_container(lex, '[', ']', &more)))
		return rc;
	if (!(list = calloc(alloc + 1, sizeof(*list))))
		return out_of_memory();
	*out = list;
	while (more) {
		if (n == alloc) {
			bigger = realloc(list, (2 * alloc + 1) * sizeof(*list));
			if (!bigger)
				return out_of_memory();
			*out = list = bigger;
			alloc *= 2;
		}
		if ((rc = read_string(lex, &list[n])))
			return rc;
		for (p = list[n]; upper && *p; p++)
			*p = (char)toupper((unsigned char)*p);
		list[++n] = NULL;
		*count = n;
		if ((rc = next_member(lex, ']', &more)))
			return rc;
	}
	return 0;
}

/*
 * Reads a string that is one of the `count` words of `choices`, ignoring
 * case, and sets *index to its place.
 */
static int read_choice(struct json_lex *lex, const char *const *choices,
		       int count, int *index)
{
	char local[SHORT_TEXT], *heap;
	const char *text;
	int rc;

	if ((rc = read_text(lex, local, &heap, &text)))
		return rc;
	for (*index = 0; *index < count; (*index)++)
		if (strcasecmp(text, choices[*index]) == 0)
			break;
	free(heap);
	return *index < count ? 0 : DECLINED;
}

static int read_nat_traversal(struct json_lex *lex, bool *out)
{
	static const char *const choices[] = { "DISABLED", "ENABLED" };
	int index, rc;

	if (take_null(lex))
		return 0;
	if (json_lex_at(lex, 't') && json_lex_literal(lex, "true", 4)) {
		*out = true;
		return 0;
	}
	if (json_lex_at(lex, 'f') && json_lex_literal(lex, "false", 5)) {
		*out = false;
		return 0;
	}
	if ((rc = read_choice(lex, choices, 2, &index)))
		return rc;
	*out = index == 1;
	return 0;
}

static int read_keepalive_protocol(struct json_lex *lex,
				   enum keepalive_protocol *out)
{
	static const char *const choices[] = { "SIP", "OPTIONS" };
	int index, rc;

	if (take_null(lex))
		return 0;
	if ((rc = read_choice(lex, choices, 2, &index)))
		return rc;
	*out = index == 0 ? KEEPALIVE_SIP : KEEPALIVE_OPTIONS;
	return 0;
}

/*
 * Reads the status or the state. A status this version does not know
 * leaves the trunk's status UNKNOWN.
 */
static int read_state(struct json_lex *lex, enum trunk_member member,
		      struct trunk_page_entry *entry)
{
	char local[SHORT_TEXT], *heap;
	const char *text;
	int rc;

	if (take_null(lex))
		return 0;
	if ((rc = read_text(lex, local, &heap, &text)))
		return rc;
	if (member == TRUNK_MEMBER_STATUS) {
		trunk_status_parse(text, &entry->trunk.status);
	} else {
		entry->trunk.deleted = strcasecmp(text, "deleted") == 0;
		entry->listed_deleted = strcmp(text, "deleted") == 0;
	}
	free(heap);
	return 0;
}

/* Reads the edge's id when the edge is an object, and skips any other value. */
static int read_edge(struct json_lex *lex, char **edge_id)
{
	bool more, seen = false;
	int rc, index;

	if (!json_lex_at(lex, '{'))
		return json_lex_skip(lex) ? 0 : DECLINED;
	if ((rc = open_container(lex, '{', '}', &more)))
		return rc;
	while (more) {
		if ((rc = read_key(lex, take_edge_member, &index)))
			return rc;
		if (index == TRUNK_MEMBER_ID) {
			if (seen)
				return DECLINED;
			seen = true;
			if (!take_null(lex) && (rc = read_string(lex, edge_id)))
				return rc;
		} else if (!json_lex_skip(lex)) {
			return DECLINED;
		}
		if ((rc = next_member(lex, '}', &more)))
			return rc;
	}
	return 0;
}

static int read_member(struct json_lex *lex, enum trunk_member member,
		       struct trunk_page_entry *entry)
{
	struct live_trunk *trunk = &entry->trunk;
	struct trunk_spec *spec = &trunk->spec;

	switch (member) {
	case TRUNK_MEMBER_ID:
		return read_string(lex, &trunk->id);
	case TRUNK_MEMBER_NAME:
		return read_string(lex, &spec->name);
	case TRUNK_MEMBER_DESCRIPTION:
		return take_null(lex) ? 0 :
		       read_string(lex, &spec->description);
	case TRUNK_MEMBER_MAX_CALLS:
		return read_int(lex, &spec->max_concurrent_calls);
	case TRUNK_MEMBER_CODECS:
		return read_strings(lex, true, &spec->codecs,
				    &spec->codec_count);
	case TRUNK_MEMBER_SIP_ENDPOINTS:
		return read_strings(lex, false, &spec->sip_endpoints,
				    &spec->sip_endpoint_count);
	case TRUNK_MEMBER_NAT_TRAVERSAL:
		return read_nat_traversal(lex, &spec->nat_traversal);
	case TRUNK_MEMBER_KEEPALIVE_INTERVAL:
		return read_int(lex, &spec->keepalive_interval);
	case TRUNK_MEMBER_KEEPALIVE_PROTOCOL:
		return read_keepalive_protocol(lex,
					       &spec->keepalive_protocol);
	case TRUNK_MEMBER_INVITE_TIMEOUT:
		return read_int(lex, &spec->sip_invite_timeout);
	case TRUNK_MEMBER_RTP_TIMEOUT:
		return read_int(lex, &spec->rtp_timeout);
	case TRUNK_MEMBER_VERSION:
		return read_long(lex, 0, 1L << 53, &trunk->version);
	case TRUNK_MEMBER_STATUS:
	case TRUNK_MEMBER_STATE:
		return read_state(lex, member, entry);
	case TRUNK_MEMBER_EDGE:
		return read_edge(lex, &trunk->edge_id);
	default:
		return DECLINED;
	}
}

/* Reads one entity; on failure the caller releases the entry. */
static int read_trunk(struct json_lex *lex, struct trunk_page_entry *entry)
{
	bool seen[TRUNK_MEMBER_COUNT] = { false }, more;
	int rc, index;

	memset(entry, 0, sizeof(*entry));
	trunk_spec_init(&entry->trunk.spec);
	entry->trunk.status = TRUNK_STATUS_UNKNOWN;
	if ((rc = open_container(lex, '{', '}', &more)))
		return rc;
	while (more) {
		rc = read_key(lex, take_member, &index);
		if (rc)
			return rc;
		if (index < 0) {
			if (!json_lex_skip(lex))
				return DECLINED;
		} else {
			if (seen[index])
				return DECLINED;
			seen[index] = true;
			rc = read_member(lex, (enum trunk_member)index,
					 entry);
			if (rc)
				return rc;
		}
		if ((rc = next_member(lex, '}', &more)))
			return rc;
	}
	/* The id and the name are required, and the pager needs the id. */
	if (!entry->trunk.id || !*entry->trunk.id || !entry->trunk.spec.name)
		return DECLINED;
	return 0;
}

static int read_entities(struct json_lex *lex, struct trunk_page *page)
{
	struct trunk_page_entry *bigger;
	size_t alloc = 0;
	bool more;
	int rc;

	if ((rc = open_container(lex, '[', ']', &more)))
		return rc;
	while (more) {
		if (page->count == alloc) {
			alloc = alloc ? 2 * alloc : 64;
			bigger = realloc(page->entries,
					 alloc * sizeof(*bigger));
			if (!bigger)
				return out_of_memory();
			page->entries = bigger;
		}
		rc = read_trunk(lex, &page->entries[page->count]);
		if (rc) {
			live_trunk_release(&page->entries[page->count].trunk);
			return rc;
		}
		page->count++;
		if ((rc = next_member(lex, ']', &more)))
			return rc;
	}
	return 0;
}

/* Reads a page member other than the entities. */
static int read_page_member(struct json_lex *lex, enum page_member member,
			    struct trunk_page *page)
{
	double *numbers[] = {
		[P_TOTAL] = &page->total,
		[P_PAGE_NUMBER] = &page->page_number,
		[P_PAGE_COUNT] = &page->page_count,
		[P_PAGE_SIZE] = &page->page_size,
	};
	int rc;

	if (member == P_NEXT_URI && json_lex_at(lex, '"')) {
		if ((rc = read_string(lex, &page->next_uri)))
			return rc;
		if (!*page->next_uri) {
			free(page->next_uri);
			page->next_uri = NULL;
		}
		return 0;
	}
	if (member != P_NEXT_URI && lex->p < lex->end &&
	    (*lex->p == '-' || (*lex->p >= '0' && *lex->p <= '9')))
		return json_lex_number(lex, numbers[member]) ? 0 : DECLINED;
	return json_lex_skip(lex) ? 0 : DECLINED;
}

static int read_page(struct json_lex *lex, struct trunk_page *page)
{
	bool seen[PAGE_MEMBER_COUNT] = { false }, more;
	int rc, index;

	json_lex_space(lex);
	if ((rc = open_container(lex, '{', '}', &more)))
		return rc;
	while (more) {
		if ((rc = read_key(lex, take_page_member, &index)))
			return rc;
		if (index < 0) {
			if (!json_lex_skip(lex))
				return DECLINED;
		} else if (seen[index]) {
			return DECLINED;
		} else {
			seen[index] = true;
			rc = index == P_ENTITIES ?
			     read_entities(lex, page) :
			     read_page_member(lex, (enum page_member)index,
					      page);
			if (rc)
				return rc;
		}
		if ((rc = next_member(lex, '}', &more)))
			return rc;
	}
	json_lex_space(lex);
	return seen[P_ENTITIES] && lex->p == lex->end ? 0 : DECLINED;
}

int trunk_page_decode(const char *body, size_t length,
		      struct trunk_page *page)
{
	struct json_lex lex;
	int rc;

	memset(page, 0, sizeof(*page));
	page->total = page->page_number = -1;
	page->page_count = page->page_size = -1;
	if (!body)
		return DECLINED;
	json_lex_init(&lex, body, length);
	rc = read_page(&lex, page);
	if (rc)
		trunk_page_release(page);
	return rc;
}

void trunk_page_release(struct trunk_page *page)
{
	size_t i;

	for (i = 0; i < page->count; i++)
		live_trunk_release(&page->entries[i].trunk);
	free(page->entries);
	free(page->next_uri);
	memset(page, 0, sizeof(*page));
}
