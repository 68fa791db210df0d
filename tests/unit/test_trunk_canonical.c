/* The canonical payload JSON matches cJSON's printing of the payload. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <cmocka.h>

#include "model/trunk.h"

/* Checks trunk_spec_canonical_json against cJSON_PrintUnformatted of
 * trunk_spec_to_payload, the form it replaces. */
static void assert_same_as_cjson(const struct trunk_spec *spec)
{
	cJSON *payload = trunk_spec_to_payload(spec, 0);
	char *expected, *actual;

	assert_non_null(payload);
	expected = cJSON_PrintUnformatted(payload);
	assert_non_null(expected);
	actual = trunk_spec_canonical_json(spec);
	assert_non_null(actual);
	assert_string_equal(actual, expected);
	free(actual);
	free(expected);
	cJSON_Delete(payload);
}

static void defaults_match(void **state)
{
	struct trunk_spec spec;

	(void)state;
	trunk_spec_init(&spec);
	spec.name = "t";
	assert_same_as_cjson(&spec);
}

static void all_fields_match(void **state)
{
	char *codecs[] = { "PCMU", "PCMA", "G729" };
	char *endpoints[] = { "203.0.113.10:5060", "[2001:db8::1]:5061",
			      "sbc.example.net:5060" };
	struct trunk_spec spec;

	(void)state;
	trunk_spec_init(&spec);
	spec.name = "Carrier-Primary-Trunk";
	spec.description = "Primary carrier, Dublin POP";
	spec.codecs = codecs;
	spec.codec_count = 3;
	spec.sip_endpoints = endpoints;
	spec.sip_endpoint_count = 3;
	spec.max_concurrent_calls = 1000;
	spec.nat_traversal = true;
	spec.keepalive_interval = 3600;
	spec.keepalive_protocol = KEEPALIVE_OPTIONS;
	spec.sip_invite_timeout = 1;
	spec.rtp_timeout = 3600;
	assert_same_as_cjson(&spec);
}

static void escapes_match(void **state)
{
	static char text[] = "quote \" backslash \\ slash / tab \t nl \n "
			     "cr \r bs \b ff \f bell \a esc \x1b us \x1f "
			     "del \x7f utf-8 \xc3\xa9\xe2\x82\xac end";
	struct trunk_spec spec;

	(void)state;
	trunk_spec_init(&spec);
	spec.name = text;
	spec.description = text + 6;
	assert_same_as_cjson(&spec);
}

static void empty_and_odd_values_match(void **state)
{
	struct trunk_spec spec;

	(void)state;
	trunk_spec_init(&spec);
	spec.name = "";
	spec.description = NULL;
	spec.max_concurrent_calls = -7;
	spec.keepalive_interval = 0;
	spec.rtp_timeout = 2147483647;
	spec.sip_invite_timeout = -2147483647 - 1;
	assert_same_as_cjson(&spec);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(defaults_match),
		cmocka_unit_test(all_fields_match),
		cmocka_unit_test(escapes_match),
		cmocka_unit_test(empty_and_odd_values_match),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
