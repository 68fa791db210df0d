/* The YAML tree: locations, aliases, merge keys and the bounds. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "model/error.h"
#include "model/yaml_tree.h"

struct parsed {
	struct yaml_tree tree;
	struct diag_list diags;
	struct diag_source source;
	int rc;
};

static void parse(struct parsed *p, const char *text)
{
	yaml_tree_init(&p->tree);
	diag_list_init(&p->diags);
	diag_source_init(&p->source, "t.yaml", text, strlen(text), 0);
	p->rc = yaml_tree_parse(&p->tree, text, strlen(text), &p->diags,
				&p->source);
}

static void release(struct parsed *p)
{
	yaml_tree_release(&p->tree);
	diag_list_release(&p->diags);
	diag_source_release(&p->source);
}

static const struct yaml_tree_node *root(const struct parsed *p)
{
	assert_true(p->tree.document_count >= 1);
	return p->tree.documents[0].root;
}

static void nodes_keep_locations(void **state)
{
	const struct yaml_tree_node *list, *item;
	struct parsed p;

	(void)state;
	parse(&p, "# comment\nkey:\n  - plain\n  - 'quoted'\n  - {a: 1}\n");
	assert_int_equal(p.rc, 0);
	assert_int_equal(p.diags.count, 0);
	assert_int_equal(root(&p)->kind, YAML_TREE_MAPPING);
	assert_int_equal(root(&p)->line, 2);
	assert_int_equal(root(&p)->column, 1);

	list = yaml_tree_get(root(&p), "key");
	assert_non_null(list);
	assert_int_equal(list->kind, YAML_TREE_SEQUENCE);
	assert_int_equal(list->count, 3);
	item = list->items[0];
	assert_string_equal(item->value, "plain");
	assert_true(item->plain);
	assert_int_equal(item->line, 3);
	assert_int_equal(item->column, 5);
	item = list->items[1];
	assert_string_equal(item->value, "quoted");
	assert_false(item->plain);
	assert_int_equal(item->line, 4);
	item = list->items[2];
	assert_int_equal(item->kind, YAML_TREE_MAPPING);
	assert_int_equal(item->line, 5);
	assert_int_equal(item->column, 5);
	release(&p);
}

static void columns_count_characters(void **state)
{
	const struct yaml_tree_node *value;
	struct parsed p;

	(void)state;
	parse(&p, "{\xc3\xa9t\xc3\xa9: x, b: y}\n");
	assert_int_equal(p.rc, 0);
	value = yaml_tree_get(root(&p), "b");
	assert_non_null(value);
	/* "é" is two bytes but one column. */
	assert_int_equal(value->column, 13);
	release(&p);
}

static void nested_children_keep_order(void **state)
{
	const struct yaml_tree_node *m, *key, *value;
	struct parsed p;

	(void)state;
	parse(&p, "m:\n"
		  "  ? [k1, k2]\n"
		  "  : [v1, [v2, v3], {}]\n"
		  "  b: {c: [d], e: f}\n"
		  "  g:\n"
		  "  h: []\n"
		  "last: z\n");
	assert_int_equal(p.rc, 0);
	assert_int_equal(p.diags.count, 0);
	assert_int_equal(root(&p)->count, 2);
	m = yaml_tree_get(root(&p), "m");
	assert_non_null(m);
	assert_int_equal(m->count, 4);

	key = m->keys[0];
	value = m->items[0];
	assert_int_equal(key->kind, YAML_TREE_SEQUENCE);
	assert_int_equal(key->count, 2);
	assert_string_equal(key->items[1]->value, "k2");
	assert_int_equal(value->kind, YAML_TREE_SEQUENCE);
	assert_int_equal(value->count, 3);
	assert_string_equal(value->items[0]->value, "v1");
	assert_int_equal(value->items[1]->count, 2);
	assert_string_equal(value->items[1]->items[1]->value, "v3");
	assert_int_equal(value->items[2]->kind, YAML_TREE_MAPPING);
	assert_int_equal(value->items[2]->count, 0);

	value = yaml_tree_get(m, "b");
	assert_int_equal(value->count, 2);
	assert_string_equal(yaml_tree_get(value, "c")->items[0]->value, "d");
	assert_string_equal(yaml_tree_get(value, "e")->value, "f");
	/* A key without a value maps to an empty plain scalar. */
	assert_true(yaml_tree_is_null(yaml_tree_get(m, "g")));
	assert_int_equal(yaml_tree_get(m, "h")->count, 0);
	assert_string_equal(yaml_tree_get(root(&p), "last")->value, "z");
	release(&p);
}

static void documents_do_not_share_children(void **state)
{
	struct parsed p;

	(void)state;
	parse(&p, "[a, b]\n---\n{c: d}\n---\n[e]\n");
	assert_int_equal(p.rc, 0);
	assert_int_equal(p.tree.document_count, 3);
	assert_int_equal(p.tree.documents[0].root->count, 2);
	assert_string_equal(p.tree.documents[0].root->items[1]->value, "b");
	assert_int_equal(p.tree.documents[1].root->count, 1);
	assert_string_equal(p.tree.documents[1].root->keys[0]->value, "c");
	assert_int_equal(p.tree.documents[2].root->count, 1);
	assert_string_equal(p.tree.documents[2].root->items[0]->value, "e");
	release(&p);
}

static void duplicate_key_keeps_first(void **state)
{
	const struct yaml_tree_node *m;
	struct parsed p;

	(void)state;
	/* "ab" and "ac" share a length and a first byte but differ. */
	parse(&p, "{ab: 1, ? [x] : 2, ac: 3, ? [x] : 5, ab: 4}\n");
	assert_int_equal(p.rc, 0);
	assert_int_equal(p.diags.count, 1);
	assert_int_equal(p.diags.items[0].line, 1);
	assert_int_equal(p.diags.items[0].column, 38);
	assert_string_equal(p.diags.items[0].message,
			    "duplicate key 'ab' (first defined at line 1, "
			    "column 2)");
	m = root(&p);
	assert_int_equal(m->count, 4);
	assert_string_equal(yaml_tree_get(m, "ab")->value, "1");
	assert_string_equal(yaml_tree_get(m, "ac")->value, "3");
	release(&p);
}

static void alias_shares_the_node(void **state)
{
	const struct yaml_tree_node *a, *b;
	struct parsed p;

	(void)state;
	parse(&p, "a: &x [1, 2, 3]\nb: *x\n");
	assert_int_equal(p.rc, 0);
	a = yaml_tree_get(root(&p), "a");
	b = yaml_tree_get(root(&p), "b");
	assert_ptr_equal(a, b);
	assert_int_equal(a->weight, 4);
	/* The mapping counts the list twice: 1 + 2 keys + 2 * 4. */
	assert_int_equal(root(&p)->weight, 11);
	release(&p);
}

static void later_anchor_replaces_earlier(void **state)
{
	const struct yaml_tree_node *c;
	struct parsed p;

	(void)state;
	parse(&p, "a: &x one\nb: &x two\nc: *x\n");
	assert_int_equal(p.rc, 0);
	c = yaml_tree_get(root(&p), "c");
	assert_string_equal(c->value, "two");
	release(&p);
}

static void merge_written_keys_win(void **state)
{
	const struct yaml_tree_node *m;
	struct parsed p;

	(void)state;
	parse(&p, "base: &b {x: 1, y: 2}\n"
		  "more: &m {y: 3, z: 4}\n"
		  "m: {x: 0, <<: [*b, *m]}\n");
	assert_int_equal(p.rc, 0);
	assert_int_equal(p.diags.count, 0);
	m = yaml_tree_get(root(&p), "m");
	assert_int_equal(m->count, 3);
	assert_string_equal(yaml_tree_get(m, "x")->value, "0");
	assert_string_equal(yaml_tree_get(m, "y")->value, "2");
	assert_string_equal(yaml_tree_get(m, "z")->value, "4");
	assert_null(yaml_tree_get(m, "<<"));
	release(&p);
}

static void merge_quoted_key_is_plain_key(void **state)
{
	const struct yaml_tree_node *m;
	struct parsed p;

	(void)state;
	parse(&p, "m: {'<<': {x: 1}}\n");
	assert_int_equal(p.rc, 0);
	m = yaml_tree_get(root(&p), "m");
	assert_int_equal(m->count, 1);
	assert_non_null(yaml_tree_get(m, "<<"));
	release(&p);
}

static void empty_documents_have_no_root(void **state)
{
	struct parsed p;

	(void)state;
	parse(&p, "# only a comment\n");
	assert_int_equal(p.rc, 0);
	assert_int_equal(p.tree.document_count, 0);
	release(&p);

	parse(&p, "---\n---\na: 1\n");
	assert_int_equal(p.rc, 0);
	assert_int_equal(p.tree.document_count, 2);
	assert_true(yaml_tree_is_null(p.tree.documents[0].root));
	assert_int_equal(p.tree.documents[1].line, 2);
	release(&p);
}

static void null_forms(void **state)
{
	const struct yaml_tree_node *list;
	struct parsed p;

	(void)state;
	parse(&p, "[~, null, Null, NULL, '', nil, 'null']\n");
	assert_int_equal(p.rc, 0);
	list = root(&p);
	assert_true(yaml_tree_is_null(list->items[0]));
	assert_true(yaml_tree_is_null(list->items[1]));
	assert_true(yaml_tree_is_null(list->items[2]));
	assert_true(yaml_tree_is_null(list->items[3]));
	assert_false(yaml_tree_is_null(list->items[4]));
	assert_false(yaml_tree_is_null(list->items[5]));
	assert_false(yaml_tree_is_null(list->items[6]));
	release(&p);
}

/* A typed scalar may hold NUL bytes, and the forms end at the first. */
static void null_forms_stop_at_nul(void **state)
{
	const struct yaml_tree_node *list;
	struct parsed p;

	(void)state;
	parse(&p, "[!!null \"\\0x\", !!null \"~\\0x\", !!null \"null\\0\", "
		  "!!null \"nul\\0\", !!null \"NULLx\", !!null \"nulL\", "
		  "!!null \"Null\", !!null \"~~\", !!null \"nu\\0l\"]\n");
	assert_int_equal(p.rc, 0);
	list = root(&p);
	assert_int_equal(list->count, 9);
	assert_true(yaml_tree_is_null(list->items[0]));
	assert_true(yaml_tree_is_null(list->items[1]));
	assert_true(yaml_tree_is_null(list->items[2]));
	assert_false(yaml_tree_is_null(list->items[3]));
	assert_false(yaml_tree_is_null(list->items[4]));
	assert_false(yaml_tree_is_null(list->items[5]));
	assert_true(yaml_tree_is_null(list->items[6]));
	assert_false(yaml_tree_is_null(list->items[7]));
	assert_false(yaml_tree_is_null(list->items[8]));
	release(&p);
}

static char *nested(int depth)
{
	char *text = malloc((size_t)depth * 2 + 2);
	int i;

	assert_non_null(text);
	for (i = 0; i < depth; i++) {
		text[i] = '[';
		text[depth + i] = ']';
	}
	text[2 * depth] = '\n';
	text[2 * depth + 1] = '\0';
	return text;
}

static void nesting_bound(void **state)
{
	char *text = nested(YAML_TREE_MAX_DEPTH);
	struct parsed p;

	(void)state;
	parse(&p, text);
	assert_int_equal(p.rc, 0);
	release(&p);
	free(text);

	text = nested(YAML_TREE_MAX_DEPTH + 1);
	parse(&p, text);
	assert_int_equal(p.rc, TRUNKCTL_EINVALID);
	assert_int_equal(p.tree.document_count, 0);
	assert_int_equal(p.diags.count, 1);
	assert_int_equal(p.diags.items[0].column, YAML_TREE_MAX_DEPTH + 1);
	assert_string_equal(p.diags.items[0].message,
			    "nesting deeper than 64 levels");
	release(&p);
	free(text);
}

static void merge_bomb_is_bounded(void **state)
{
	struct parsed p;

	(void)state;
	/* Merges copy pairs, so they count like aliases. */
	parse(&p, "a: &a {a0: 0, a1: 1, a2: 2, a3: 3, a4: 4, a5: 5, a6: 6}\n"
		  "b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
		  "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\n"
		  "d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
		  "e: &e {<<: [*a], k: *d}\n"
		  "f: [{<<: *e}, {<<: *e}, {<<: *e}, {<<: *e}, {<<: *e}]\n");
	assert_int_equal(p.rc, TRUNKCTL_EINVALID);
	assert_int_equal(p.diags.count, 1);
	assert_int_equal(p.diags.items[0].line, 6);
	release(&p);
}

static void reader_error_is_located(void **state)
{
	struct parsed p;

	(void)state;
	parse(&p, "a: 1\nb: x\x01y\n");
	assert_int_equal(p.rc, TRUNKCTL_EINVALID);
	assert_int_equal(p.diags.count, 1);
	assert_int_equal(p.diags.items[0].line, 2);
	assert_int_equal(p.diags.items[0].column, 5);
	assert_string_equal(p.diags.items[0].message,
			    "control characters are not allowed (0x01)");
	release(&p);
}

static void truncated_utf8_is_rejected(void **state)
{
	struct parsed p;

	(void)state;
	parse(&p, "a: \xe2\x82\n");
	assert_int_equal(p.rc, TRUNKCTL_EINVALID);
	assert_int_equal(p.diags.items[0].line, 1);
	assert_int_equal(p.diags.items[0].column, 4);
	assert_string_equal(p.diags.items[0].message,
			    "invalid UTF-8 (byte 0xE2); manifests must be "
			    "UTF-8 text");
	release(&p);
}

/* The bad byte follows 8-byte runs of ASCII and valid multi-byte text,
 * and is still located at its own column. */
static void late_bad_utf8_is_located(void **state)
{
	struct parsed p;

	(void)state;
	parse(&p, "name: trunk-one\ndescription: caf\xc3\xa9 \xe2\x82\xac "
		  "carrier trunk \xff here\n");
	assert_int_equal(p.rc, TRUNKCTL_EINVALID);
	assert_int_equal(p.diags.count, 1);
	assert_int_equal(p.diags.items[0].line, 2);
	assert_int_equal(p.diags.items[0].column, 35);
	assert_string_equal(p.diags.items[0].message,
			    "invalid UTF-8 (byte 0xFF); manifests must be "
			    "UTF-8 text");
	release(&p);
}

static void byte_order_mark_is_skipped(void **state)
{
	const struct yaml_tree_node *value;
	struct parsed p;

	(void)state;
	parse(&p, "\xef\xbb\xbf" "a: 1\nb: 2\n");
	assert_int_equal(p.rc, 0);
	assert_int_equal(p.diags.count, 0);
	assert_int_equal(root(&p)->line, 1);
	assert_int_equal(root(&p)->column, 1);
	value = yaml_tree_get(root(&p), "b");
	assert_non_null(value);
	assert_string_equal(value->value, "2");
	assert_int_equal(value->line, 2);
	release(&p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(nodes_keep_locations),
		cmocka_unit_test(nested_children_keep_order),
		cmocka_unit_test(documents_do_not_share_children),
		cmocka_unit_test(duplicate_key_keeps_first),
		cmocka_unit_test(columns_count_characters),
		cmocka_unit_test(alias_shares_the_node),
		cmocka_unit_test(later_anchor_replaces_earlier),
		cmocka_unit_test(merge_written_keys_win),
		cmocka_unit_test(merge_quoted_key_is_plain_key),
		cmocka_unit_test(empty_documents_have_no_root),
		cmocka_unit_test(null_forms),
		cmocka_unit_test(null_forms_stop_at_nul),
		cmocka_unit_test(nesting_bound),
		cmocka_unit_test(merge_bomb_is_bounded),
		cmocka_unit_test(reader_error_is_located),
		cmocka_unit_test(truncated_utf8_is_rejected),
		cmocka_unit_test(late_bad_utf8_is_located),
		cmocka_unit_test(byte_order_mark_is_skipped),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
