/*
 * The strict JSON parser against cJSON itself: every text it accepts
 * must give cJSON's tree, item for item, and it must accept the strict
 * JSON that API responses are made of.
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

#include "http/json_strict.h"
#include "tests/support/json_compare.h"
#include "tests/support/text_gen.h"

/*
 * Parses `text` both ways. Returns whether the strict parser accepted
 * it, after checking that cJSON then gives the same tree.
 */
static bool compare(const char *text, size_t length)
{
	cJSON *fast = json_parse_strict(text, length);
	cJSON *reference;
	const char *end = NULL;

	if (!fast)
		return false;
	reference = cJSON_ParseWithOpts(text, &end, 1);
	if (!reference)
		fail_msg("cJSON rejects what the strict parser took: %s", text);
	if (!json_same_tree(fast, reference))
		fail_msg("the trees differ for %s", text);
	cJSON_Delete(fast);
	cJSON_Delete(reference);
	return true;
}

static bool compare_text(const char *text)
{
	return compare(text, strlen(text));
}

static void accepts_api_json(void **state)
{
	static const char *const texts[] = {
		"{}", "[]", "0", "-0", "\"\"", "true", "false", "null",
		" \t\r\n{ \"a\" : [ 1 , 2 ] } \n",
		"{\"entities\":[{\"id\":\"t1\",\"name\":\"Carrier A\","
		"\"codecs\":[\"PCMU\",\"PCMA\"],\"natTraversal\":true,"
		"\"maxConcurrentCalls\":100,\"version\":3,\"edge\":"
		"{\"id\":\"e1\"},\"description\":null}],\"pageSize\":100,"
		"\"pageNumber\":1,\"total\":1,\"pageCount\":1}",
		"[12, -12, 1.5, -0.25, 1e10, 1E-5, 2.5e+3, 0.1]",
		"[123456789012345, -123456789012345, 1234567890123456789]",
		"[2147483647, 2147483648, -2147483648, -2147483649, 1e300]",
		"[9007199254740993, 0.30000000000000004, 5e-324]",
		"\"\\\" \\\\ \\/ \\b \\f \\n \\r \\t\"",
		"\"caf\\u00e9 \\u20ac \\ud83d\\ude00 \\u0041 \\u07FF\"",
		"\"raw caf\xc3\xa9 \xe2\x82\xac\"",
		"{\"a\":1,\"a\":2,\"\":3}",
		"[[[[[[[[[[{\"deep\":[]}]]]]]]]]]]",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(texts) / sizeof(texts[0]); i++)
		if (!compare_text(texts[i]))
			fail_msg("the strict parser rejected %s", texts[i]);
}

/* What the strict parser leaves to cJSON, whatever cJSON makes of it. */
static void leaves_the_rest_to_cjson(void **state)
{
	static const char *const texts[] = {
		"", " ", "01", "+1", "1.", ".5", "1e", "1e+", "-", "--1",
		"[1,]", "{\"a\":1,}", "{\"a\" 1}", "{a:1}", "[1 2]", "tru",
		"nul", "falsy", "\"open", "\"bad \\x escape\"", "\"\\u0000\"",
		"\"\\uZZZZ\"", "\"\\ud800\"", "\"\\udc00\"", "\"\\ud800\\u0041\"",
		"\"tab\tinside\"", "\xef\xbb\xbf{}", "{}x", "[1]]", "\f[]",
		"12345678901234567890123456789012345678901234567890123456789"
		"01234",
	};
	char deep[2 * 201 + 1];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(texts) / sizeof(texts[0]); i++)
		if (compare_text(texts[i]))
			fail_msg("the strict parser accepted %s", texts[i]);
	memset(deep, '[', 201);
	memset(deep + 201, ']', 201);
	deep[402] = '\0';
	assert_false(compare_text(deep));
	assert_false(compare("[1]\0", 4));
}

static void put_string(struct gen_text *doc, uint64_t *seed)
{
	static const char *const parts[] = {
		"a", "Carrier", " ", "\\\"", "\\\\", "\\/", "\\n", "\\t",
		"\\u00e9", "\\u20AC", "\\ud83d\\ude00", "caf\xc3\xa9", "-", "0",
	};
	int n = (int)(gen_random(seed) % 6), i;

	gen_put(doc, "\"");
	for (i = 0; i < n; i++)
		gen_put(doc, parts[gen_random(seed) % (sizeof(parts) /
						  sizeof(parts[0]))]);
	gen_put(doc, "\"");
}

static void put_number(struct gen_text *doc, uint64_t *seed)
{
	static const char *const forms[] = {
		"%s%llu", "%s%llu.%llu", "%s%llue%llu", "%s%llu.%lluE-%llu",
	};
	char number[96];
	uint64_t form = gen_random(seed) % 4;
	unsigned long long a = gen_random(seed) %
			       (form ? 1000 : 100000000000000000ULL);
	unsigned long long b = gen_random(seed) % 1000;
	unsigned long long c = gen_random(seed) % 300;

	snprintf(number, sizeof(number), forms[form],
		 gen_random(seed) % 2 ? "-" : "", a, b, c);
	gen_put(doc, number);
}

static void put_value(struct gen_text *doc, uint64_t *seed, int depth)
{
	static const char *const spaces[] = { "", " ", "\n", "\t", "\r\n " };
	uint64_t kind = gen_random(seed) % (depth > 4 ? 5 : 7);
	int n, i;

	gen_put(doc, spaces[gen_random(seed) % 5]);
	switch (kind) {
	case 0:
		put_string(doc, seed);
		break;
	case 1:
	case 2:
		put_number(doc, seed);
		break;
	case 3:
		gen_put(doc, gen_random(seed) % 2 ? "true" : "false");
		break;
	case 4:
		gen_put(doc, "null");
		break;
	default:
		n = (int)(gen_random(seed) % 5);
		gen_put(doc, kind == 5 ? "[" : "{");
		for (i = 0; i < n; i++) {
			if (i)
				gen_put(doc, ",");
			if (kind == 6) {
				put_string(doc, seed);
				gen_put(doc, ":");
			}
			put_value(doc, seed, depth + 1);
		}
		gen_put(doc, kind == 5 ? "]" : "}");
	}
	gen_put(doc, spaces[gen_random(seed) % 5]);
}

/*
 * Generated documents are strict JSON, so each must be accepted with
 * cJSON's tree. Each is then damaged (a byte changed, or cut short) and
 * must give cJSON's tree or be left to cJSON.
 */
static void generated_documents_match(void **state)
{
	static const char damage[] = "\"\\{}[],:0-.eE+ \x01\xff";
	uint64_t seed = 0x9e3779b97f4a7c15ULL;
	struct gen_text doc;
	int round, accepted_damaged = 0;

	(void)state;
	for (round = 0; round < 3000; round++) {
		size_t at;

		doc.length = 0;
		put_value(&doc, &seed, 0);
		if (!compare(doc.data, doc.length))
			fail_msg("the strict parser rejected %s", doc.data);
		at = (size_t)(gen_random(&seed) % doc.length);
		if (round % 2)
			doc.data[at] = damage[gen_random(&seed) %
					    (sizeof(damage) - 1)];
		else
			doc.length = at;
		doc.data[doc.length] = '\0';
		accepted_damaged += compare(doc.data, strlen(doc.data));
	}
	/* Some damage leaves valid JSON, and that must match too. */
	assert_true(accepted_damaged > 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(accepts_api_json),
		cmocka_unit_test(leaves_the_rest_to_cjson),
		cmocka_unit_test(generated_documents_match),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
