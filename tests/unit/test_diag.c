/* Diagnostics: the printed format, quoting, sorting and the bound. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "model/diag.h"

/* Prints the list into a string the caller frees. */
static char *print_all(const struct diag_list *list)
{
	char *text = NULL;
	size_t size = 0;
	FILE *out = open_memstream(&text, &size);

	assert_non_null(out);
	diag_list_print(list, out);
	fclose(out);
	return text;
}

static void prints_line_and_caret(void **state)
{
	static const char text[] = "a: 1\ncodecs: [PCMU, G711]\n";
	struct diag_source source;
	struct diag_list list;
	char *printed;

	(void)state;
	diag_list_init(&list);
	diag_source_init(&source, "edges/x.yaml", text, strlen(text), 0);
	assert_int_equal(diag_add(&list, DIAG_ERROR, &source, 2, 16,
				  "unknown codec '%s'", "G711"),
			 0);
	printed = print_all(&list);
	assert_string_equal(printed,
			    "edges/x.yaml:2:16: error: unknown codec 'G711'\n"
			    "    2 | codecs: [PCMU, G711]\n"
			    "      |                ^\n");
	free(printed);
	diag_source_release(&source);
	diag_list_release(&list);
}

static void caret_keeps_tabs_and_characters(void **state)
{
	static const char text[] = "#\t\xc3\xa9 x\r\n";
	struct diag_source source;
	struct diag_list list;
	char *printed;

	(void)state;
	diag_list_init(&list);
	diag_source_init(&source, "t.yaml", text, strlen(text), 0);
	diag_add(&list, DIAG_WARNING, &source, 1, 5, "here");
	printed = print_all(&list);
	/* The tab stays, "é" takes one column and "\r" is dropped. */
	assert_string_equal(printed,
			    "t.yaml:1:5: warning: here\n"
			    "    1 | #\t\xc3\xa9 x\n"
			    "      |  \t  ^\n");
	free(printed);
	diag_source_release(&source);
	diag_list_release(&list);
}

static void file_and_run_messages(void **state)
{
	struct diag_source source;
	struct diag_list list;
	char *printed;

	(void)state;
	diag_list_init(&list);
	diag_source_init(&source, "gone.yaml", NULL, 0, 1);
	diag_add(&list, DIAG_ERROR, NULL, 0, 0, "no manifest");
	diag_add(&list, DIAG_ERROR, &source, 0, 0, "cannot open");
	diag_list_sort(&list);
	printed = print_all(&list);
	assert_string_equal(printed, "gone.yaml: error: cannot open\n"
				     "trunkctl: error: no manifest\n");
	assert_int_equal(list.errors, 2);
	free(printed);
	diag_list_release(&list);
}

static void sort_by_source_line_column(void **state)
{
	static const char text[] = "a\nb\nc\n";
	struct diag_source first, second;
	struct diag_list list;

	(void)state;
	diag_list_init(&list);
	diag_source_init(&first, "1.yaml", text, strlen(text), 0);
	diag_source_init(&second, "2.yaml", text, strlen(text), 1);
	diag_add(&list, DIAG_ERROR, &second, 1, 1, "d");
	diag_add(&list, DIAG_ERROR, &first, 3, 1, "c");
	diag_add(&list, DIAG_ERROR, &first, 1, 2, "b");
	diag_add(&list, DIAG_ERROR, &first, 1, 1, "a");
	diag_add(&list, DIAG_ERROR, &first, 1, 1, "a2");
	diag_list_sort(&list);
	assert_string_equal(list.items[0].message, "a");
	assert_string_equal(list.items[1].message, "a2");
	assert_string_equal(list.items[2].message, "b");
	assert_string_equal(list.items[3].message, "c");
	assert_string_equal(list.items[4].message, "d");
	diag_source_release(&first);
	diag_source_release(&second);
	diag_list_release(&list);
}

static void quote_makes_text_printable(void **state)
{
	char buffer[16];

	(void)state;
	assert_string_equal(diag_quote(buffer, sizeof(buffer), "a\tb\x01", 4),
			    "a\tb?");
	assert_string_equal(diag_quote(buffer, sizeof(buffer), "x\xff", 2),
			    "x?");
	assert_string_equal(diag_quote(buffer, sizeof(buffer),
				       "0123456789abcdefghij", 20),
			    "0123456789ab...");
	/* A cut never splits a character. */
	assert_string_equal(diag_quote(buffer, sizeof(buffer),
				       "0123456789\xc3\xa9\xc3\xa9xyz", 17),
			    "0123456789\xc3\xa9...");
}

static void bound_counts_the_rest(void **state)
{
	struct diag_list list;
	char *printed;
	int i;

	(void)state;
	diag_list_init(&list);
	for (i = 0; i < DIAG_MAX_STORED + 5; i++)
		diag_add(&list, DIAG_ERROR, NULL, 0, 0, "problem %d", i);
	assert_int_equal(list.count, DIAG_MAX_STORED);
	assert_int_equal(list.errors, DIAG_MAX_STORED + 5);
	assert_int_equal(list.dropped, 5);
	printed = print_all(&list);
	assert_non_null(strstr(printed, "trunkctl: note: 5 more diagnostics "
					"not shown\n"));
	free(printed);
	diag_list_release(&list);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(prints_line_and_caret),
		cmocka_unit_test(caret_keeps_tabs_and_characters),
		cmocka_unit_test(file_and_run_messages),
		cmocka_unit_test(sort_by_source_line_column),
		cmocka_unit_test(quote_makes_text_printable),
		cmocka_unit_test(bound_counts_the_rest),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
