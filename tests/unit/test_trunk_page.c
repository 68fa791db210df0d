/*
 * The trunk page decoder against the general path: the JSON parsers,
 * the pager's envelope rules and live_trunk_from_json(). Every page it
 * decodes must give the same trunks and figures. It must decode pages
 * like trunksim's, and it must leave every error to the general path.
 */

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "tests/support/text_gen.h"
#include "tests/support/trunk_page_check.h"

/*
 * Decodes `text` both ways and fails on a difference. Returns whether
 * the decoder took it.
 */
static bool check(const char *text, size_t length)
{
	const char *difference;
	int rc = trunk_page_check(text, length, &difference);

	if (rc < 0)
		fail_msg("%s: %s", difference, text);
	return rc == 1;
}

static bool check_text(const char *text)
{
	return check(text, strlen(text));
}

#define TRUNK_A                                                             \
	"{\"id\":\"c15c0289\",\"name\":\"trunk-0001\",\"description\":"     \
	"\"Carrier \\\"A\\\" caf\\u00e9\",\"maxConcurrentCalls\":980,"      \
	"\"codecs\":[\"pcmu\",\"PCMA\"],\"sipEndpoints\":["                 \
	"\"198.51.100.9:5060\",\"sbc1.example.net:5061\"],"                 \
	"\"natTraversal\":\"DISABLED\",\"keepAliveInterval\":30,"           \
	"\"keepAliveProtocol\":\"options\",\"sipInviteTimeout\":20,"        \
	"\"rtpTimeout\":60,\"version\":3,\"status\":\"ENABLED\","           \
	"\"state\":\"active\",\"edge\":{\"id\":\"edge-1\",\"selfUri\":"     \
	"\"/api/v2/telephony/providers/edges/edge-1\"},\"dateCreated\":"    \
	"\"2026-12-04T19:51:12.362Z\",\"selfUri\":\"/x/c15c0289\"}"

static void decodes_a_listing_page(void **state)
{
	static const char body[] =
		"{\"entities\":[" TRUNK_A ",{\"id\":\"gone\",\"name\":\"old\","
		"\"state\":\"deleted\"}],\"pageSize\":2,\"pageNumber\":1,"
		"\"total\":3,\"pageCount\":2,\"nextUri\":"
		"\"/api/v2/x?pageNumber=2\",\"selfUri\":\"/api/v2/x\"}";
	struct trunk_page page;
	const struct live_trunk *t;

	(void)state;
	assert_true(check_text(body));
	assert_int_equal(trunk_page_decode(body, strlen(body), &page), 0);
	assert_int_equal(page.count, 2);
	t = &page.entries[0].trunk;
	assert_string_equal(t->id, "c15c0289");
	assert_string_equal(t->spec.description, "Carrier \"A\" caf\xc3\xa9");
	assert_int_equal(t->spec.codec_count, 2);
	assert_string_equal(t->spec.codecs[0], "PCMU");
	assert_string_equal(t->spec.sip_endpoints[1], "sbc1.example.net:5061");
	assert_false(t->spec.nat_traversal);
	assert_int_equal(t->spec.keepalive_protocol, KEEPALIVE_OPTIONS);
	assert_int_equal(t->spec.rtp_timeout, 60);
	assert_int_equal(t->version, 3);
	assert_int_equal(t->status, TRUNK_STATUS_ENABLED);
	assert_string_equal(t->edge_id, "edge-1");
	assert_false(page.entries[0].listed_deleted);
	assert_true(page.entries[1].listed_deleted);
	assert_true(page.total == 3 && page.page_count == 2);
	assert_string_equal(page.next_uri, "/api/v2/x?pageNumber=2");
	trunk_page_release(&page);

	assert_true(check_text("{\"entities\":[]}"));
	assert_true(check_text(" {\"total\":null,\"entities\":[],"
			       "\"nextUri\":\"\",\"pageSize\":\"25\"} "));
}

/* What only the general path may decide: its error or its reading. */
static void declines_the_rest(void **state)
{
	static const char *const bodies[] = {
		"", "[]", "{}", "null", "{\"entities\":{}}",
		"{\"entities\":[1]}", "{\"entities\":[]} x",
		"\xef\xbb\xbf{\"entities\":[]}",
		"{\"entities\":[],\"entities\":[]}",
		"{\"entities\":[],\"total\":1,\"total\":2}",
		"{\"entities\":[],\"total\":01}",
		"{\"entit\\u0069es\":[]}",
		"{\"entities\":[{\"name\":\"a\"}]}",
		"{\"entities\":[{\"id\":\"\",\"name\":\"a\"}]}",
		"{\"entities\":[{\"id\":5,\"name\":\"a\"}]}",
		"{\"entities\":[{\"id\":\"t\"}]}",
		"{\"entities\":[{\"id\":\"t\",\"name\":null}]}",
		"{\"entities\":[{\"id\":\"t\",\"name\":\"a\",\"name\":\"b\"}]}",
		"{\"entities\":[{\"id\":\"t\",\"n\\u0061me\":\"a\"}]}",
		"{\"entities\":[{\"id\":\"t\",\"name\":5}]}",
		"{\"entities\":[{\"id\":\"t\",\"name\":\"a\","
		"\"maxConcurrentCalls\":1.5}]}",
		"{\"entities\":[{\"id\":\"t\",\"name\":\"a\","
		"\"rtpTimeout\":3e9}]}",
		"{\"entities\":[{\"id\":\"t\",\"name\":\"a\",\"version\":-1}]}",
		"{\"entities\":[{\"id\":\"t\",\"name\":\"a\",\"codecs\":[1]}]}",
		"{\"entities\":[{\"id\":\"t\",\"name\":\"a\","
		"\"codecs\":\"x\"}]}",
		"{\"entities\":[{\"id\":\"t\",\"name\":\"a\","
		"\"natTraversal\":\"maybe\"}]}",
		"{\"entities\":[{\"id\":\"t\",\"name\":\"a\","
		"\"keepAliveProtocol\":\"UDP\"}]}",
		"{\"entities\":[{\"id\":\"t\",\"name\":\"a\",\"status\":5}]}",
		"{\"entities\":[{\"id\":\"t\",\"name\":\"a\",\"state\":true}]}",
		"{\"entities\":[{\"id\":\"t\",\"name\":\"a\","
		"\"edge\":{\"id\":5}}]}",
		"{\"entities\":[{\"id\":\"t\",\"name\":\"a\","
		"\"edge\":{\"id\":\"e\",\"id\":\"f\"}}]}",
		"{\"entities\":[{\"id\":\"t\",\"name\":\"a\\u0000\"}]}",
		"{\"entities\":[{\"id\":\"t\",\"name\":\"a\tb\"}]}",
		"{\"entities\":[{\"id\":\"t\",\"name\":\"\\ud800\"}]}",
	};
	struct trunk_page page;
	char deep[512];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bodies) / sizeof(bodies[0]); i++)
		if (trunk_page_decode(bodies[i], strlen(bodies[i]), &page) != 1)
			fail_msg("decoded %s", bodies[i]);
	assert_int_equal(trunk_page_decode(NULL, 0, &page), 1);
	assert_int_equal(trunk_page_decode("{\"entities\":[]}\0", 16, &page),
			 1);
	/* Nesting deeper than the strict parser's 200. */
	strcpy(deep, "{\"entities\":[],\"x\":");
	memset(deep + strlen(deep), '[', 200);
	deep[19 + 200] = '\0';
	memset(deep + strlen(deep), ']', 200);
	strcpy(deep + 19 + 400, "}");
	assert_int_equal(trunk_page_decode(deep, strlen(deep), &page), 1);
}

#define PICK(seed, list) (list)[gen_random(seed) % (sizeof(list) /      \
						      sizeof((list)[0]))]

/*
 * Values of each member. The first `clean` of each list are what the
 * general path takes; the rest are for the wild pages.
 */
struct member_values {
	const char *key;
	const char *const *values;
	size_t count;
	size_t clean;
};

static const char *const strings[] = {
	"\"trunk-1\"", "\"Carrier \\\"B\\\"\"", "\"caf\\u00e9 \\ud83d\\ude00\"",
	"\"raw caf\xc3\xa9\"", "\"a\\/b\\\\c\\n\"", "\"\"", "5", "null",
	"[\"x\"]",
};
static const char *const texts[] = {
	"\"Carrier trunk 1\"", "null", "\"tab\\t\\u20AC\"", "\"\"", "7",
	"{}",
};
static const char *const ints[] = {
	"30", "0", "-5", "2147483647", "-2147483647", "30.0", "1e2", "null",
	"2147483648", "1.5", "\"30\"", "1e400", "-2147483648",
};
static const char *const lists[] = {
	"[\"pcmu\",\"PCMA\"]", "[]", "null", "[\"g722\", \"Opus\" ]",
	"[\"198.51.100.9:5060\",\"h\\u00e9.example:5061\"]", "[1]",
	"\"PCMU\"", "[\"a\",null]",
};
static const char *const nats[] = {
	"true", "false", "\"ENABLED\"", "\"disabled\"", "null", "\"maybe\"",
	"1",
};
static const char *const protocols[] = {
	"\"SIP\"", "\"options\"", "null", "\"UDP\"", "0",
};
static const char *const versions[] = {
	"1", "0", "9007199254740992", "null", "-1", "1e300", "1.25",
};
static const char *const statuses[] = {
	"\"ENABLED\"", "\"pending\"", "\"Failed\"", "\"somethingNew\"", "null",
	"\"aStatusOfMoreThanSixtyFourBytesThatThisVersionOfTrunkctlDoesNotKnow\"",
	"5",
};
static const char *const states[] = {
	"\"active\"", "\"deleted\"", "\"Deleted\"", "null", "true",
};
static const char *const edges[] = {
	"{\"id\":\"edge-1\",\"selfUri\":\"/e\"}", "{\"selfUri\":\"/e\"}",
	"{\"id\":null}", "null", "\"edge-1\"", "[]", "{\"id\":\"\"}",
	"{\"id\":5}", "{\"id\":\"a\",\"id\":\"b\"}",
};
static const char *const unknown[] = {
	"\"2026-12-04T19:51:12.362Z\"",
	"{\"nested\":[1,{\"a\":null}],\"b\":-0}",
	"[true,false,null,\"\\u0041\"]", "1.5e-7", "\"/api/v2/x\"",
};

#define MEMBER(key, list, clean) { key, list, sizeof(list) / sizeof(list[0]), \
				  clean }

static const struct member_values members[] = {
	MEMBER("\"name\"", strings, 6), MEMBER("\"description\"", texts, 4),
	MEMBER("\"maxConcurrentCalls\"", ints, 8),
	MEMBER("\"codecs\"", lists, 5), MEMBER("\"sipEndpoints\"", lists, 5),
	MEMBER("\"natTraversal\"", nats, 5),
	MEMBER("\"keepAliveInterval\"", ints, 8),
	MEMBER("\"keepAliveProtocol\"", protocols, 3),
	MEMBER("\"sipInviteTimeout\"", ints, 8),
	MEMBER("\"rtpTimeout\"", ints, 8), MEMBER("\"version\"", versions, 4),
	MEMBER("\"status\"", statuses, 6), MEMBER("\"state\"", states, 4),
	MEMBER("\"edge\"", edges, 7), MEMBER("\"dateCreated\"", unknown, 5),
	MEMBER("\"selfUri\"", unknown, 5), MEMBER("\"\"", unknown, 5),
	MEMBER("\"names\"", unknown, 5), MEMBER("\"edgeId\"", unknown, 5),
	MEMBER("\"s\"", unknown, 5),
};

static void put_space(struct gen_text *doc, uint64_t *seed)
{
	static const char *const spaces[] = { "", "", "", " ", "\n  ", "\t" };

	gen_put(doc, PICK(seed, spaces));
}

static void put_value(struct gen_text *doc, uint64_t *seed,
		      const struct member_values *member, bool wild)
{
	size_t n = wild && gen_random(seed) % 4 == 0 ? member->count :
							member->clean;

	gen_put(doc, member->values[gen_random(seed) % n]);
}

/* One entity, its members in a random order, the required ones always. */
static void put_entity(struct gen_text *doc, uint64_t *seed, int number,
		       bool wild)
{
	size_t order[sizeof(members) / sizeof(members[0])], i, j, n;
	char id[64];

	n = sizeof(members) / sizeof(members[0]);
	for (i = 0; i < n; i++)
		order[i] = i;
	for (i = n - 1; i > 0; i--) {
		size_t swap = order[i];

		j = (size_t)(gen_random(seed) % (i + 1));
		order[i] = order[j];
		order[j] = swap;
	}
	snprintf(id, sizeof(id), gen_random(seed) % 8 ? "\"id\":\"t-%d\"" :
		 "\"id\":\"t\\u002d%d\"", number);
	gen_put(doc, "{");
	gen_put(doc, id);
	for (i = 0; i < n; i++) {
		const struct member_values *member = &members[order[i]];

		if (member != &members[0] && gen_random(seed) % 5 == 0)
			continue;
		gen_put(doc, ",");
		put_space(doc, seed);
		gen_put(doc, wild && gen_random(seed) % 40 == 0 ?
			 "\"n\\u0061me\"" : member->key);
		gen_put(doc, ":");
		put_space(doc, seed);
		put_value(doc, seed, member, wild);
		if (wild && gen_random(seed) % 60 == 0) {
			gen_put(doc, ",");
			gen_put(doc, member->key);
			gen_put(doc, ":");
			put_value(doc, seed, member, false);
		}
	}
	gen_put(doc, "}");
}

/* The envelope's members, one list of variants each. */
static const char *const page_sizes[] = { "\"pageSize\":25",
					  "\"pageSize\":1e1" };
static const char *const page_numbers[] = { "\"pageNumber\":1" };
static const char *const totals[] = { "\"total\":7", "\"total\":\"7\"",
				      "\"total\":null" };
static const char *const page_counts[] = { "\"pageCount\":3" };
static const char *const next_uris[] = {
	"\"nextUri\":\"/api/v2/next?pageNumber=2\"", "\"nextUri\":\"\"",
	"\"nextUri\":null", "\"nextUri\":5",
};
static const char *const others[] = { "\"selfUri\":\"/api/v2/x\"",
				      "\"firstUri\":{\"a\":[]}" };

struct envelope_member {
	const char *const *variants;
	size_t count;
};

#define VARIANTS(list) { list, sizeof(list) / sizeof(list[0]) }

static const struct envelope_member envelope[] = {
	VARIANTS(page_sizes), VARIANTS(page_numbers), VARIANTS(totals),
	VARIANTS(page_counts), VARIANTS(next_uris), VARIANTS(others),
};

/* Each envelope member at most once (twice, now and then, when wild). */
static void put_page(struct gen_text *doc, uint64_t *seed, bool wild)
{
	int entities = (int)(gen_random(seed) % 6), i;
	const char *after[2 * sizeof(envelope) / sizeof(envelope[0])];
	size_t m, after_count = 0, copies;

	doc->length = 0;
	gen_put(doc, "{");
	for (m = 0; m < sizeof(envelope) / sizeof(envelope[0]); m++) {
		copies = gen_random(seed) % 2 +
			 (wild && gen_random(seed) % 30 == 0);
		while (copies--) {
			const char *member = envelope[m].variants[
				gen_random(seed) % envelope[m].count];

			if (gen_random(seed) % 2) {
				after[after_count++] = member;
				continue;
			}
			gen_put(doc, member);
			gen_put(doc, ",");
		}
	}
	gen_put(doc, "\"entities\":[");
	for (i = 0; i < entities; i++) {
		if (i)
			gen_put(doc, ",");
		put_space(doc, seed);
		put_entity(doc, seed, i, wild);
	}
	gen_put(doc, "]");
	for (m = 0; m < after_count; m++) {
		gen_put(doc, ",");
		gen_put(doc, after[m]);
	}
	gen_put(doc, "}");
}

/*
 * Clean pages must be decoded, and the same as the general path. Wild
 * pages (odd types, duplicates, escaped keys) and damaged copies must
 * be decoded the same or declined.
 */
static void generated_pages_match(void **state)
{
	static const char damage[] = "\"\\{}[],:0-.eE+ \x01\xff";
	uint64_t seed = 0x2545f4914f6cdd1dULL;
	int round, wild_decoded = 0, wild_declined = 0, damaged = 0;
	struct gen_text *doc = malloc(sizeof(*doc));

	(void)state;
	assert_non_null(doc);
	for (round = 0; round < 2000; round++) {
		size_t at;

		put_page(doc, &seed, false);
		if (!check(doc->data, doc->length))
			fail_msg("declined a clean page: %s", doc->data);
		put_page(doc, &seed, true);
		if (check(doc->data, doc->length))
			wild_decoded++;
		else
			wild_declined++;
		at = (size_t)(gen_random(&seed) % doc->length);
		if (round % 2)
			doc->data[at] = damage[gen_random(&seed) %
					       (sizeof(damage) - 1)];
		else
			doc->length = at;
		doc->data[doc->length] = '\0';
		damaged += check(doc->data, strlen(doc->data));
	}
	free(doc);
	/* Both outcomes happen, or the wild pages test nothing. */
	assert_true(wild_decoded > 100);
	assert_true(wild_declined > 100);
	assert_true(damaged > 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(decodes_a_listing_page),
		cmocka_unit_test(declines_the_rest),
		cmocka_unit_test(generated_pages_match),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
