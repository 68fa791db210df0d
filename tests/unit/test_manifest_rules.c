/*
 * One case per validation rule: each manifest below breaks exactly one
 * rule, and the test checks the message, line and column of the single
 * error it must produce.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "model/error.h"
#include "model/manifest.h"
#include "model/manifest_internal.h"

/* Lines 1-5. The trunk starts on line 6 and its fields follow. */
#define HEAD "apiVersion: trunkctl/v1\nkind: EdgeTrunks\nedge:\n  id: e1\n" \
	     "trunks:\n"
#define T1 "  - name: T1\n"
#define EP "    sipEndpoints: [\"203.0.113.1:5060\"]\n"
#define CODECS "    codecs: [PCMU]\n"
#define CALLS "    maxConcurrentCalls: 10\n"
#define N64 "NNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNN" \
	    "NNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNN"
#define DOC "apiVersion: trunkctl/v1\nkind: EdgeTrunks\n"

struct rule_case {
	const char *name;
	const char *text;
	int line;
	int column;
	const char *message;
};

static const struct rule_case cases[] = {
	{ "codec_unknown",
	  HEAD T1 EP CALLS "    codecs: [PCMU, G711]\n",
	  9, 20,
	  "unknown codec 'G711'; expected PCMU, PCMA, G729 or G722" },
	{ "codec_repeat_ignores_case",
	  HEAD T1 EP CALLS "    codecs: [PCMU, pcmu]\n",
	  9, 20,
	  "duplicate codec 'PCMU' (first at line 9, column 14)" },
	{ "codecs_empty",
	  HEAD T1 EP CALLS "    codecs: []\n",
	  9, 13,
	  "codecs: at least one codec is required" },
	{ "codecs_not_a_list",
	  HEAD T1 EP CALLS "    codecs: PCMU\n",
	  9, 13,
	  "codecs: expected a list, got a string \"PCMU\"" },
	{ "codecs_missing",
	  HEAD T1 EP CALLS,
	  6, 5,
	  "trunk has no 'codecs'; set it on the trunk or in defaults" },
	{ "endpoint_ipv4_octet",
	  HEAD T1 CODECS CALLS "    sipEndpoints: [\"203.0.113.256:5060\"]\n",
	  9, 20,
	  "invalid SIP endpoint '203.0.113.256:5060': '203.0.113.256' is not a "
	  "valid IPv4 address: octet '256' is not a number from 0 to 255" },
	{ "endpoint_ipv4_three_octets",
	  HEAD T1 CODECS CALLS "    sipEndpoints: [\"203.0.113:5060\"]\n",
	  9, 20,
	  "invalid SIP endpoint '203.0.113:5060': '203.0.113' is not a valid "
	  "IPv4 address: expected four octets" },
	{ "endpoint_ipv4_leading_zero",
	  HEAD T1 CODECS CALLS "    sipEndpoints: [\"203.0.113.010:5060\"]\n",
	  9, 20,
	  "invalid SIP endpoint '203.0.113.010:5060': '203.0.113.010' is not a "
	  "valid IPv4 address: octet '010' is not a number from 0 to 255" },
	{ "endpoint_ipv6_invalid",
	  HEAD T1 CODECS CALLS "    sipEndpoints: [\"[2001:db8::g]:5060\"]\n",
	  9, 20,
	  "invalid SIP endpoint '[2001:db8::g]:5060': '2001:db8::g' is not a "
	  "valid IPv6 address" },
	{ "endpoint_ipv6_no_port",
	  HEAD T1 CODECS CALLS "    sipEndpoints: [\"[2001:db8::1]\"]\n",
	  9, 20,
	  "invalid SIP endpoint '[2001:db8::1]': missing ':PORT' after ']'" },
	{ "endpoint_ipv6_unbracketed",
	  HEAD T1 CODECS CALLS "    sipEndpoints: [\"2001:db8::1:5060\"]\n",
	  9, 20,
	  "invalid SIP endpoint '2001:db8::1:5060': an IPv6 address needs "
	  "brackets, such as '[2001:db8::1]:5060'" },
	{ "endpoint_label_hyphen",
	  HEAD T1 CODECS CALLS
	  "    sipEndpoints: [\"-sbc.example.net:5060\"]\n",
	  9, 20,
	  "invalid SIP endpoint '-sbc.example.net:5060': '-sbc.example.net' is "
	  "not a valid host name: each label has 1 to 63 letters, digits or "
	  "'-', and no '-' at either end" },
	{ "endpoint_empty_label",
	  HEAD T1 CODECS CALLS
	  "    sipEndpoints: [\"sbc..example.net:5060\"]\n",
	  9, 20,
	  "invalid SIP endpoint 'sbc..example.net:5060': 'sbc..example.net' is "
	  "not a valid host name: each label has 1 to 63 letters, digits or "
	  "'-', and no '-' at either end" },
	{ "endpoint_label_character",
	  HEAD T1 CODECS CALLS
	  "    sipEndpoints: [\"sbc_1.example.net:5060\"]\n",
	  9, 20,
	  "invalid SIP endpoint 'sbc_1.example.net:5060': 'sbc_1.example.net' "
	  "is not a valid host name: only letters, digits, '-' and '.' are "
	  "allowed" },
	{ "endpoint_port_zero",
	  HEAD T1 CODECS CALLS "    sipEndpoints: [\"sbc.example.net:0\"]\n",
	  9, 20,
	  "invalid SIP endpoint 'sbc.example.net:0': port '0' is not a number "
	  "from 1 to 65535" },
	{ "endpoint_port_too_big",
	  HEAD T1 CODECS CALLS "    sipEndpoints: [\"[2001:db8::1]:65536\"]\n",
	  9, 20,
	  "invalid SIP endpoint '[2001:db8::1]:65536': port '65536' is not a "
	  "number from 1 to 65535" },
	{ "endpoint_port_not_number",
	  HEAD T1 CODECS CALLS "    sipEndpoints: [\"sbc.example.net:sip\"]\n",
	  9, 20,
	  "invalid SIP endpoint 'sbc.example.net:sip': port 'sip' is not a "
	  "number from 1 to 65535" },
	{ "endpoint_no_port",
	  HEAD T1 CODECS CALLS "    sipEndpoints: [\"sbc.example.net\"]\n",
	  9, 20,
	  "invalid SIP endpoint 'sbc.example.net': no port; write HOST:PORT, "
	  "such as 'sbc.example.net:5060'" },
	{ "endpoint_no_host",
	  HEAD T1 CODECS CALLS "    sipEndpoints: [\":5060\"]\n",
	  9, 20,
	  "invalid SIP endpoint ':5060': no host before ':'" },
	{ "endpoints_empty",
	  HEAD T1 CODECS CALLS "    sipEndpoints: []\n",
	  9, 19,
	  "sipEndpoints: at least one SIP endpoint is required" },
	{ "endpoints_missing",
	  HEAD T1 CODECS CALLS,
	  6, 5,
	  "trunk has no 'sipEndpoints'; set it on the trunk or in defaults" },
	{ "endpoint_repeat_host_case",
	  HEAD T1 CODECS CALLS
	  "    sipEndpoints: [sbc.example.net:5060, SBC.Example.net:5060]\n",
	  9, 42,
	  "duplicate SIP endpoint 'SBC.Example.net:5060' (first at line 9, "
	  "column 20)" },
	{ "endpoint_repeat_long_list",
	  HEAD T1 CODECS CALLS
	  "    sipEndpoints: [a:1, b:1, c:1, d:1, e:1, B:1]\n",
	  9, 45,
	  "duplicate SIP endpoint 'B:1' (first at line 9, column 25)" },
	{ "endpoint_repeat_ipv6_form",
	  HEAD T1 CODECS CALLS
	  "    sipEndpoints: ['[2001:db8::1]:5060', '[2001:DB8:0::1]:5060']\n",
	  9, 42,
	  "duplicate SIP endpoint '[2001:DB8:0::1]:5060' (first at line 9, "
	  "column 20)" },
	{ "endpoint_not_a_string",
	  HEAD T1 CODECS CALLS "    sipEndpoints: [{host: a}]\n",
	  9, 20,
	  "sipEndpoints: expected a string, got a mapping" },
	{ "max_calls_zero",
	  HEAD T1 EP CODECS "    maxConcurrentCalls: 0\n",
	  9, 25,
	  "maxConcurrentCalls must be between 1 and 1000, got 0" },
	{ "max_calls_too_many",
	  HEAD T1 EP CODECS "    maxConcurrentCalls: 1001\n",
	  9, 25,
	  "maxConcurrentCalls must be between 1 and 1000, got 1001" },
	{ "max_calls_negative",
	  HEAD T1 EP CODECS "    maxConcurrentCalls: -5\n",
	  9, 25,
	  "maxConcurrentCalls must be between 1 and 1000, got -5" },
	{ "max_calls_overflow",
	  HEAD T1 EP CODECS "    maxConcurrentCalls: 99999999999999999999\n",
	  9, 25,
	  "maxConcurrentCalls must be between 1 and 1000, got "
	  "99999999999999999999" },
	{ "max_calls_quoted",
	  HEAD T1 EP CODECS "    maxConcurrentCalls: \"10\"\n",
	  9, 25,
	  "maxConcurrentCalls: expected an integer, got a string \"10\"" },
	{ "max_calls_float",
	  HEAD T1 EP CODECS "    maxConcurrentCalls: 10.5\n",
	  9, 25,
	  "maxConcurrentCalls: expected an integer, got the number 10.5" },
	{ "max_calls_word",
	  HEAD T1 EP CODECS "    maxConcurrentCalls: many\n",
	  9, 25,
	  "maxConcurrentCalls: expected an integer, got a string \"many\"" },
	{ "max_calls_null",
	  HEAD T1 EP CODECS "    maxConcurrentCalls: ~\n",
	  9, 25,
	  "maxConcurrentCalls: expected an integer, got null" },
	{ "max_calls_leading_zero",
	  HEAD T1 EP CODECS "    maxConcurrentCalls: 010\n",
	  9, 25,
	  "maxConcurrentCalls: write '010' in decimal without leading zeros" },
	{ "max_calls_hex",
	  HEAD T1 EP CODECS "    maxConcurrentCalls: 0x10\n",
	  9, 25,
	  "maxConcurrentCalls: write '0x10' in decimal without leading zeros" },
	{ "max_calls_missing",
	  HEAD T1 EP CODECS,
	  6, 5,
	  "trunk has no 'maxConcurrentCalls'; set it on the trunk or in "
	  "defaults" },
	{ "keepalive_interval_zero",
	  HEAD T1 EP CODECS CALLS "    keepAlive: {interval: 0}\n",
	  10, 27,
	  "keepAlive.interval must be between 1 and 3600, got 0" },
	{ "keepalive_interval_too_long",
	  HEAD T1 EP CODECS CALLS "    keepAlive:\n      interval: 3601\n",
	  11, 17,
	  "keepAlive.interval must be between 1 and 3600, got 3601" },
	{ "keepalive_protocol_unknown",
	  HEAD T1 EP CODECS CALLS "    keepAlive: {protocol: UDP}\n",
	  10, 27,
	  "keepAlive.protocol: expected SIP or OPTIONS, got a string \"UDP\"" },
	{ "keepalive_not_mapping",
	  HEAD T1 EP CODECS CALLS "    keepAlive: 30\n",
	  10, 16,
	  "keepAlive: expected a mapping, got the integer 30" },
	{ "keepalive_unknown_key",
	  HEAD T1 EP CODECS CALLS "    keepAlive: {intervall: 5}\n",
	  10, 17,
	  "unknown key 'intervall' in keepAlive; did you mean 'interval'?" },
	{ "invite_timeout_zero",
	  HEAD T1 EP CODECS CALLS "    sipInviteTimeout: 0\n",
	  10, 23,
	  "sipInviteTimeout must be between 1 and 3600, got 0" },
	{ "rtp_timeout_too_long",
	  HEAD T1 EP CODECS CALLS "    rtpTimeout: 3601\n",
	  10, 17,
	  "rtpTimeout must be between 1 and 3600, got 3601" },
	{ "state_unknown",
	  HEAD T1 EP CODECS CALLS "    state: deleted\n",
	  10, 12,
	  "state: expected active, inactive or absent, got a string "
	  "\"deleted\"" },
	{ "nat_yaml11_yes",
	  HEAD T1 EP CODECS CALLS "    natTraversal: yes\n",
	  10, 19,
	  "natTraversal: expected true or false, got 'yes' (a YAML 1.1 "
	  "boolean); write true" },
	{ "nat_yaml11_off",
	  HEAD T1 EP CODECS CALLS "    natTraversal: Off\n",
	  10, 19,
	  "natTraversal: expected true or false, got 'Off' (a YAML 1.1 "
	  "boolean); write false" },
	{ "nat_quoted_true",
	  HEAD T1 EP CODECS CALLS "    natTraversal: \"true\"\n",
	  10, 19,
	  "natTraversal: expected true or false, got a string \"true\"" },
	{ "nat_integer",
	  HEAD T1 EP CODECS CALLS "    natTraversal: 1\n",
	  10, 19,
	  "natTraversal: expected true or false, got the integer 1" },
	{ "description_not_string",
	  HEAD T1 EP CODECS CALLS "    description: [a]\n",
	  10, 18,
	  "description: expected a string, got a list" },
	{ "description_nul",
	  HEAD T1 EP CODECS CALLS "    description: \"a\\0b\"\n",
	  10, 18,
	  "description: the string contains a NUL character" },
	{ "unknown_key_suggests",
	  HEAD T1 EP CODECS CALLS "    codec: [PCMA]\n",
	  10, 5,
	  "unknown key 'codec' in trunk; did you mean 'codecs'?" },
	{ "unknown_key_prefix",
	  HEAD T1 EP CODECS CALLS "    sipInvite: 5\n",
	  10, 5,
	  "unknown key 'sipInvite' in trunk; did you mean "
	  "'sipInviteTimeout'?" },
	{ "unknown_key_case",
	  HEAD T1 EP CODECS CALLS "    natTRAVERSAL: true\n",
	  10, 5,
	  "unknown key 'natTRAVERSAL' in trunk; did you mean 'natTraversal'?" },
	{ "unknown_key_lists_known",
	  HEAD T1 EP CODECS CALLS "    colour: red\n",
	  10, 5,
	  "unknown key 'colour' in trunk; expected one of: name, description, "
	  "sipEndpoints, codecs, maxConcurrentCalls, natTraversal, keepAlive, "
	  "sipInviteTimeout, rtpTimeout, state" },
	{ "duplicate_key_in_trunk",
	  HEAD T1 EP CODECS CALLS "    codecs: [PCMA]\n",
	  10, 5,
	  "duplicate key 'codecs' (first defined at line 8, column 5)" },
	{ "trunk_name_repeat_ignores_case",
	  HEAD T1 EP CODECS CALLS "  - name: t1\n" EP CODECS CALLS,
	  10, 11,
	  "duplicate trunk name 't1' (first at line 6, column 11)" },
	{ "trunk_not_mapping",
	  HEAD T1 EP CODECS CALLS "  - just-a-name\n",
	  10, 5,
	  "trunks: expected a mapping for each trunk, got a string "
	  "\"just-a-name\"" },
	{ "unsupported_tag",
	  HEAD T1 EP CODECS CALLS "    description: !!binary aGVsbG8=\n",
	  10, 18,
	  "unsupported tag 'tag:yaml.org,2002:binary'; manifests use plain "
	  "YAML types" },
	{ "merge_of_scalar",
	  HEAD T1 EP CODECS CALLS "    <<: 5\n",
	  10, 9,
	  "the merge key '<<' takes a mapping or a list of mappings" },
	{ "alias_unknown",
	  HEAD T1 EP CODECS CALLS "    description: *nope\n",
	  10, 18,
	  "unknown alias '*nope'" },
	{ "alias_recursive",
	  HEAD T1 EP CODECS CALLS "    x: &loop [*loop]\n",
	  10, 15,
	  "alias '*loop' refers to a node that contains it" },
	{ "name_missing",
	  HEAD "  - description: x\n" EP CODECS CALLS,
	  6, 5,
	  "trunk has no 'name'" },
	{ "name_empty",
	  HEAD "  - name: \"\"\n" EP CODECS CALLS,
	  6, 11,
	  "name: the name is empty" },
	{ "name_too_long",
	  HEAD "  - name: " N64 N64 N64 N64 "\n" EP CODECS CALLS,
	  6, 11,
	  "name: the name is 256 bytes long; at most 255 are allowed" },
	{ "name_control_character",
	  HEAD "  - name: \"a\\tb\"\n" EP CODECS CALLS,
	  6, 11,
	  "name: the name contains a control character" },
	{ "edge_without_identity",
	  DOC "edge: {maxTrunks: 5}\ntrunks: []\n",
	  3, 7,
	  "edge: give an 'id' or a 'name'" },
	{ "edge_id_not_a_path_segment",
	  DOC "edge: {id: a/b}\ntrunks: []\n",
	  3, 12,
	  "edge.id: expected 1 to 128 letters, digits, '-', '_' or '.', such "
	  "as a UUID" },
	{ "edge_name_empty",
	  DOC "edge: {name: ''}\ntrunks: []\n",
	  3, 14,
	  "edge.name: the name is empty" },
	{ "edge_max_trunks_zero",
	  DOC "edge: {id: e, maxTrunks: 0}\ntrunks: []\n",
	  3, 26,
	  "edge.maxTrunks must be between 1 and 100000, got 0" },
	{ "edge_prune_yaml11",
	  DOC "edge: {id: e, prune: on}\ntrunks: []\n",
	  3, 22,
	  "edge.prune: expected true or false, got 'on' (a YAML 1.1 "
	  "boolean); write true" },
	{ "edge_unknown_key",
	  DOC "edge: {id: e, maxTrunk: 3}\ntrunks: []\n",
	  3, 15,
	  "unknown key 'maxTrunk' in edge; did you mean 'maxTrunks'?" },
	{ "edge_limit_exceeded",
	  DOC "edge: {id: e, maxTrunks: 1}\ntrunks:\n"
	  "  - {name: A, sipEndpoints: [a.example.net:5060], codecs: [PCMU],"
	  " maxConcurrentCalls: 1}\n"
	  "  - {name: B, sipEndpoints: [b.example.net:5060], codecs: [PCMU],"
	  " maxConcurrentCalls: 1}\n"
	  "  - {name: C, sipEndpoints: [c.example.net:5060], codecs: [PCMU],"
	  " maxConcurrentCalls: 1, state: absent}\n",
	  3, 26,
	  "the edge declares 2 trunks that are not absent, more than its "
	  "maxTrunks of 1" },
	{ "edge_not_mapping",
	  DOC "edge: e1\ntrunks: []\n",
	  3, 7,
	  "edge: expected a mapping, got a string \"e1\"" },
	{ "edge_missing",
	  DOC "trunks: []\n",
	  1, 1,
	  "missing 'edge'" },
	{ "kind_wrong",
	  "apiVersion: trunkctl/v1\nkind: Edge\nedge: {id: e}\ntrunks: []\n",
	  2, 7,
	  "kind: expected EdgeTrunks, got a string \"Edge\"" },
	{ "kind_missing",
	  "apiVersion: trunkctl/v1\nedge: {id: e}\ntrunks: []\n",
	  1, 1,
	  "missing 'kind: EdgeTrunks'" },
	{ "trunks_missing",
	  DOC "edge: {id: e}\n",
	  1, 1,
	  "missing 'trunks'; write 'trunks: []' for an edge without trunks" },
	{ "trunks_not_list",
	  DOC "edge: {id: e}\ntrunks: {name: A}\n",
	  4, 9,
	  "trunks: expected a list, got a mapping" },
	{ "document_unknown_key",
	  DOC "edge: {id: e}\ntrunks: []\ndefault: {}\n",
	  5, 1,
	  "unknown key 'default' in the document; did you mean 'defaults'?" },
	{ "defaults_state",
	  DOC "edge: {id: e}\ndefaults: {state: inactive}\ntrunks: []\n",
	  4, 19,
	  "'state' cannot be set in defaults; set it on each trunk" },
	{ "defaults_name",
	  DOC "edge: {id: e}\ndefaults: {name: x}\ntrunks: []\n",
	  4, 18,
	  "'name' cannot be set in defaults; set it on each trunk" },
	{ "defaults_not_mapping",
	  DOC "edge: {id: e}\ndefaults: [a]\ntrunks: []\n",
	  4, 11,
	  "defaults: expected a mapping, got a list" },
	{ "defaults_value_checked_once",
	  DOC "edge: {id: e}\ndefaults: {rtpTimeout: 0}\ntrunks:\n"
	  "  - {name: A, sipEndpoints: [a.example.net:5060], codecs: [PCMU],"
	  " maxConcurrentCalls: 1}\n"
	  "  - {name: B, sipEndpoints: [b.example.net:5060], codecs: [PCMU],"
	  " maxConcurrentCalls: 1}\n",
	  4, 24,
	  "rtpTimeout must be between 1 and 3600, got 0" },
	{ "key_not_scalar",
	  DOC "edge: {id: e}\ntrunks: []\n? [a]\n: b\n",
	  5, 3,
	  "the document: expected a key, got a list" },
	{ "nesting_too_deep",
	  DOC "edge: {id: e}\ntrunks: [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["
	  "[["
	  "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]"
	  "]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]\n",
	  4, 72,
	  "nesting deeper than 64 levels" },
};

#define CASE_COUNT (sizeof(cases) / sizeof(cases[0]))

static void run_case(void **state)
{
	const struct rule_case *c = *state;
	struct manifest_loader *loader = manifest_loader_new();
	const struct diag_list *diags;
	const struct diagnostic *d;
	struct desired_model model;

	assert_non_null(loader);
	manifest_load_buffer(loader, "rule.yaml", c->text, strlen(c->text));
	assert_int_equal(manifest_loader_finish(loader, &model),
			 TRUNKCTL_EINVALID);
	diags = manifest_loader_diagnostics(loader);
	if (diags->count != 1)
		diag_list_print(diags, stderr);
	assert_int_equal(diags->count, 1);

	d = &diags->items[0];
	assert_int_equal(d->severity, DIAG_ERROR);
	assert_string_equal(d->file, "rule.yaml");
	assert_string_equal(d->message, c->message);
	assert_int_equal(d->line, c->line);
	assert_int_equal(d->column, c->column);
	manifest_loader_free(loader);
}

/* The base trunk is valid, so that every error above is the rule's own. */
static void base_trunk_is_valid(void **state)
{
	static const char text[] = HEAD T1 EP CODECS CALLS;
	struct manifest_loader *loader = manifest_loader_new();
	struct desired_model model;

	(void)state;
	assert_non_null(loader);
	manifest_load_buffer(loader, "rule.yaml", text, strlen(text));
	assert_int_equal(manifest_loader_finish(loader, &model), 0);
	assert_int_equal(model.edge_count, 1);
	assert_int_equal(model.edges[0].trunk_count, 1);
	desired_model_release(&model);
	manifest_loader_free(loader);
}

static void endpoint_forms_accepted(void **state)
{
	static const struct {
		const char *text;
		const char *key;
	} valid[] = {
		{ "203.0.113.1:5060", "203.0.113.1:5060" },
		{ "0.0.0.0:1", "0.0.0.0:1" },
		{ "255.255.255.255:65535", "255.255.255.255:65535" },
		{ "[2001:DB8:0::1]:5060", "[2001:db8::1]:5060" },
		{ "[::ffff:203.0.113.1]:5061", "[::ffff:203.0.113.1]:5061" },
		{ "SBC-1.Example.net:5060", "sbc-1.example.net:5060" },
		{ "localhost:5060", "localhost:5060" },
		{ "a:05060", "a:5060" },
	};
	char reason[256], key[300];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(valid) / sizeof(valid[0]); i++) {
		if (manifest_check_endpoint(valid[i].text, reason,
					    sizeof(reason), key,
					    sizeof(key)) != 0)
			fprintf(stderr, "%s: %s\n", valid[i].text, reason);
		assert_int_equal(manifest_check_endpoint(valid[i].text, reason,
							 sizeof(reason), key,
							 sizeof(key)),
				 0);
		assert_string_equal(key, valid[i].key);
	}
}

static void endpoint_forms_rejected(void **state)
{
	static const char *const invalid[] = {
		"", ":", "a:", "[]:5060", "[2001:db8::1%eth0]:5060",
		"203.0.113.1.5:5060", "1.2.3.4.:5060", "host.:5060",
		"h\xc3\xa9.example.net:5060", "[2001:db8::1]x:5060",
		"a:65536", "a:-1", "a:+5",
	};
	char reason[256];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(invalid) / sizeof(invalid[0]); i++) {
		if (manifest_check_endpoint(invalid[i], reason, sizeof(reason),
					    NULL, 0) == 0)
			fprintf(stderr, "accepted: '%s'\n", invalid[i]);
		assert_int_equal(manifest_check_endpoint(invalid[i], reason,
							 sizeof(reason), NULL,
							 0),
				 -1);
		assert_true(reason[0] != '\0');
	}
}

/* The reason for each way an endpoint can be wrong, word for word. */
static void endpoint_reasons(void **state)
{
	static const char long_label[] = "a.bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
					 "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";
	static const struct {
		const char *text;
		const char *reason;
	} cases[] = {
		{ "[::1", "missing ']' after the IPv6 address" },
		{ "[::1]5060", "missing ':PORT' after ']'" },
		{ "[zz::1]:5060", "'zz::1' is not a valid IPv6 address" },
		{ "[::1]:0", "port '0' is not a number from 1 to 65535" },
		{ "host", "no port; write HOST:PORT, such as 'host:5060'" },
		{ "a:b:c", "an IPv6 address needs brackets, such as "
			   "'[2001:db8::1]:5060'" },
		{ ":5060", "no host before ':'" },
		{ "a:65536", "port '65536' is not a number from 1 to 65535" },
		{ "a:", "port '' is not a number from 1 to 65535" },
		{ "a:5x", "port '5x' is not a number from 1 to 65535" },
		{ "1.2.3.256:1", "'1.2.3.256' is not a valid IPv4 address: "
				 "octet '256' is not a number from 0 to 255" },
		{ "1..3.4:1", "'1..3.4' is not a valid IPv4 address: octet '' "
			      "is not a number from 0 to 255" },
		{ "1.2.3.4444:1", "'1.2.3.4444' is not a valid IPv4 address: "
				  "octet '4444' is not a number from 0 to "
				  "255" },
		{ "01.2.3.4:1", "'01.2.3.4' is not a valid IPv4 address: octet "
				"'01' is not a number from 0 to 255" },
		{ "1.2.3.4.:1", "'1.2.3.4.' is not a valid IPv4 address: octet "
				"'' is not a number from 0 to 255" },
		{ "1.2.3:1", "'1.2.3' is not a valid IPv4 address: expected "
			     "four octets" },
		{ "1.2.3.4.5:1", "'1.2.3.4.5' is not a valid IPv4 address: "
				 "expected four octets" },
		{ "a_b:1", "'a_b' is not a valid host name: only letters, "
			   "digits, '-' and '.' are allowed" },
		{ "1.2.3.-4:1", "'1.2.3.-4' is not a valid host name: each "
				"label has 1 to 63 letters, digits or '-', and "
				"no '-' at either end" },
		{ "a-:1", "'a-' is not a valid host name: each label has 1 to "
			  "63 letters, digits or '-', and no '-' at either "
			  "end" },
	};
	char reason[256], text[300];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(manifest_check_endpoint(cases[i].text, reason,
							 sizeof(reason), NULL,
							 0),
				 -1);
		assert_string_equal(reason, cases[i].reason);
	}

	snprintf(text, sizeof(text), "%s:5060", long_label);
	assert_int_equal(manifest_check_endpoint(text, reason, sizeof(reason),
						 NULL, 0),
			 -1);
	assert_string_equal(reason, "'a.bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
			    "bbbbbbbbbbbbbbbbbbbbbbbbbb' is not a valid host "
			    "name: each label has 1 to 63 letters, digits or "
			    "'-', and no '-' at either end");

	/*
	 * A host name of 254 characters in valid labels, then one of 260,
	 * which is rejected before it is copied.
	 */
	memset(text, 0, sizeof(text));
	for (i = 0; i < 254; i++)
		text[i] = i % 10 == 9 ? '.' : 'h';
	memcpy(text + 254, ":5060", 6);
	assert_int_equal(manifest_check_endpoint(text, reason, sizeof(reason),
						 NULL, 0),
			 -1);
	assert_string_equal(reason, "host name is longer than 253 characters");
	memset(text, 'h', 260);
	memcpy(text + 260, ":5060", 6);
	assert_int_equal(manifest_check_endpoint(text, reason, sizeof(reason),
						 NULL, 0),
			 -1);
	assert_string_equal(reason, "host name is longer than 253 characters");
}

/* A key longer than its buffer is cut as snprintf() cuts it. */
static void endpoint_key_truncated(void **state)
{
	char reason[256], key[8];

	(void)state;
	assert_int_equal(manifest_check_endpoint("Example.NET:5060", reason,
						 sizeof(reason), key,
						 sizeof(key)),
			 0);
	assert_string_equal(key, "example");
	assert_int_equal(manifest_check_endpoint("[::1]:5060", reason,
						 sizeof(reason), key,
						 sizeof(key)),
			 0);
	assert_string_equal(key, "[::1]:5");
	assert_int_equal(manifest_check_endpoint("[::1]:5060", reason,
						 sizeof(reason), key, 1),
			 0);
	assert_string_equal(key, "");
}

static void key_suggestions(void **state)
{
	static const char *const known[] = { "interval", "protocol" };

	(void)state;
	assert_string_equal(manifest_suggest_key("intervl", known, 2),
			    "interval");
	assert_string_equal(manifest_suggest_key("PROTOCOL", known, 2),
			    "protocol");
	assert_string_equal(manifest_suggest_key("proto", known, 2),
			    "protocol");
	assert_string_equal(manifest_suggest_key("intervalSeconds", known, 2),
			    "interval");
	assert_null(manifest_suggest_key("timeout", known, 2));
	assert_null(manifest_suggest_key("in", known, 2));
}

static void check_keys_finds_values(void **state)
{
	static const char *const known[] = { "interval", "protocol", "name" };
	/* A NUL byte makes "interval\0x" another key than "interval". */
	static const char text[] = "{protocol: SIP, \"interval\\0x\": 5, "
				   "interval: 7, zzz: 1}\n";
	const struct yaml_tree_node *values[3], *root;
	struct manifest_context ctx;
	struct diag_source source;
	struct diag_list diags;
	struct yaml_tree tree;
	size_t i;

	(void)state;
	diag_list_init(&diags);
	diag_source_init(&source, "t.yaml", text, strlen(text), 0);
	yaml_tree_init(&tree);
	ctx.diags = &diags;
	ctx.source = &source;
	ctx.file = "t.yaml";
	assert_int_equal(yaml_tree_parse(&tree, text, strlen(text), &diags,
					 &source),
			 0);
	root = tree.documents[0].root;

	assert_int_equal(manifest_check_keys(&ctx, root, "keepAlive", known,
					     3, values),
			 TRUNKCTL_EINVALID);
	assert_int_equal(diags.count, 2);
	assert_string_equal(diags.items[0].message, "unknown key "
			    "'interval?x' in keepAlive; did you mean "
			    "'interval'?");
	assert_string_equal(diags.items[1].message, "unknown key 'zzz' in "
			    "keepAlive; expected one of: interval, protocol, "
			    "name");
	for (i = 0; i < 3; i++)
		assert_ptr_equal(values[i], yaml_tree_get(root, known[i]));
	assert_string_equal(values[0]->value, "7");
	assert_string_equal(values[1]->value, "SIP");
	assert_null(values[2]);

	yaml_tree_release(&tree);
	diag_source_release(&source);
	diag_list_release(&diags);
}

/* Each integer form read directly, with its value or full message. */
static void read_int_forms(void **state)
{
	static const struct {
		const char *yaml;
		int value;              /* expected when message is NULL */
		const char *message;
	} cases[] = {
		{ "0", 0, NULL },
		{ "7", 7, NULL },
		{ "999999999", 999999999, NULL },
		{ "1999999999", 1999999999, NULL },
		{ "2000000001", 0, "n must be between 0 and 2000000000, got "
				   "2000000001" },
		{ "+7", 7, NULL },
		{ "-0", 0, NULL },
		{ "!!int 7", 7, NULL },
		{ "!!int '7'", 7, NULL },
		{ "!!int \"7\\0x\"", 7, NULL },
		{ "'7'", 0, "n: expected an integer, got a string \"7\"" },
		{ "00", 0, "n: write '00' in decimal without leading zeros" },
		{ "07", 0, "n: write '07' in decimal without leading zeros" },
		{ "-1", 0, "n must be between 0 and 2000000000, got -1" },
		{ "7a", 0, "n: expected an integer, got a string \"7a\"" },
		{ "1e3", 0, "n: expected an integer, got the number 1e3" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *text = cases[i].yaml;
		struct manifest_context ctx;
		struct diag_source source;
		struct diag_list diags;
		struct yaml_tree tree;
		int out = -1, rc;

		diag_list_init(&diags);
		diag_source_init(&source, "t.yaml", text, strlen(text), 0);
		yaml_tree_init(&tree);
		ctx.diags = &diags;
		ctx.source = &source;
		ctx.file = "t.yaml";
		assert_int_equal(yaml_tree_parse(&tree, text, strlen(text),
						 &diags, &source),
				 0);

		rc = manifest_read_int(&ctx, tree.documents[0].root, "n", 0,
				       2000000000, &out);
		if (cases[i].message) {
			assert_int_equal(rc, TRUNKCTL_EINVALID);
			assert_int_equal(diags.count, 1);
			assert_string_equal(diags.items[0].message,
					    cases[i].message);
		} else {
			assert_int_equal(rc, 0);
			assert_int_equal(out, cases[i].value);
		}

		yaml_tree_release(&tree);
		diag_source_release(&source);
		diag_list_release(&diags);
	}
}

int main(void)
{
	struct CMUnitTest tests[CASE_COUNT + 8];
	size_t i;

	for (i = 0; i < CASE_COUNT; i++) {
		memset(&tests[i], 0, sizeof(tests[i]));
		tests[i].name = cases[i].name;
		tests[i].test_func = run_case;
		tests[i].initial_state = (void *)&cases[i];
	}
	tests[i++] = (struct CMUnitTest)cmocka_unit_test(base_trunk_is_valid);
	tests[i++] = (struct CMUnitTest)cmocka_unit_test(
		endpoint_forms_accepted);
	tests[i++] = (struct CMUnitTest)cmocka_unit_test(
		endpoint_forms_rejected);
	tests[i++] = (struct CMUnitTest)cmocka_unit_test(endpoint_reasons);
	tests[i++] = (struct CMUnitTest)cmocka_unit_test(
		endpoint_key_truncated);
	tests[i++] = (struct CMUnitTest)cmocka_unit_test(key_suggestions);
	tests[i++] = (struct CMUnitTest)cmocka_unit_test(read_int_forms);
	tests[i++] = (struct CMUnitTest)cmocka_unit_test(
		check_keys_finds_values);
	return _cmocka_run_group_tests("manifest_rules", tests, i, NULL,
				       NULL);
}
