/* The edge index: lookups ignoring ASCII case, per kind, first kept. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "model/edge_index.h"

static void finds_ignoring_case(void **state)
{
	struct edge_index index;

	(void)state;
	edge_index_init(&index);
	assert_int_equal(edge_index_find(&index, EDGE_INDEX_ID, "a"),
			 EDGE_INDEX_NONE);
	assert_int_equal(edge_index_add(&index, EDGE_INDEX_ID,
					"1B4E28BA-2FA1", 3), 0);
	assert_int_equal(edge_index_find(&index, EDGE_INDEX_ID,
					 "1b4e28ba-2fa1"), 3);
	assert_int_equal(edge_index_find(&index, EDGE_INDEX_ID,
					 "1b4e28ba-2fa"), EDGE_INDEX_NONE);
	assert_int_equal(edge_index_find(&index, EDGE_INDEX_ID,
					 "1b4e28ba-2fa12"), EDGE_INDEX_NONE);
	edge_index_release(&index);
}

static void kinds_are_separate(void **state)
{
	struct edge_index index;

	(void)state;
	edge_index_init(&index);
	assert_int_equal(edge_index_add(&index, EDGE_INDEX_NAME, "Dublin",
					0), 0);
	assert_int_equal(edge_index_find(&index, EDGE_INDEX_ID, "dublin"),
			 EDGE_INDEX_NONE);
	assert_int_equal(edge_index_find(&index, EDGE_INDEX_NAME, "DUBLIN"),
			 0);
	edge_index_release(&index);
}

static void first_position_is_kept(void **state)
{
	struct edge_index index;

	(void)state;
	edge_index_init(&index);
	assert_int_equal(edge_index_add(&index, EDGE_INDEX_NAME, "Cork", 1),
			 0);
	assert_int_equal(edge_index_add(&index, EDGE_INDEX_NAME, "CORK", 7),
			 0);
	assert_int_equal(edge_index_find(&index, EDGE_INDEX_NAME, "cork"),
			 1);
	assert_int_equal(index.count, 1);
	edge_index_release(&index);
}

static void null_text_is_ignored(void **state)
{
	struct edge_index index;

	(void)state;
	edge_index_init(&index);
	assert_int_equal(edge_index_add(&index, EDGE_INDEX_ID, NULL, 0), 0);
	assert_int_equal(index.count, 0);
	assert_int_equal(edge_index_find(&index, EDGE_INDEX_ID, NULL),
			 EDGE_INDEX_NONE);
	edge_index_release(&index);
}

static void many_edges_grow_the_table(void **state)
{
	enum { COUNT = 10000 };
	static char names[COUNT][24];
	struct edge_index index;
	char upper[24];
	size_t i, j;

	(void)state;
	edge_index_init(&index);
	for (i = 0; i < COUNT; i++) {
		snprintf(names[i], sizeof(names[i]), "edge-%05zu", i);
		assert_int_equal(edge_index_add(&index, EDGE_INDEX_ID,
						names[i], i), 0);
	}
	assert_int_equal(index.count, COUNT);
	for (i = 0; i < COUNT; i++) {
		for (j = 0; names[i][j]; j++)
			upper[j] = (char)(names[i][j] >= 'a' &&
					  names[i][j] <= 'z' ?
					  names[i][j] - 'a' + 'A' :
					  names[i][j]);
		upper[j] = '\0';
		assert_int_equal(edge_index_find(&index, EDGE_INDEX_ID,
						 upper), i);
	}
	edge_index_release(&index);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(finds_ignoring_case),
		cmocka_unit_test(kinds_are_separate),
		cmocka_unit_test(first_position_is_kept),
		cmocka_unit_test(null_text_is_ignored),
		cmocka_unit_test(many_edges_grow_the_table),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
