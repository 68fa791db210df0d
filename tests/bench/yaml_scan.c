/*
 * yaml_scan: the floor for manifest loading. Reads every *.yaml and *.yml
 * file under the given paths (hidden folders skipped, as trunkctl's loader
 * does) and pulls libyaml's parser events to the end of each stream,
 * building nothing. Prints the counts of files, bytes and events.
 *
 * Usage: yaml_scan PATH...
 */
/* FTW_ACTIONRETVAL, to skip hidden folders, is a GNU extension. */
#define _GNU_SOURCE
#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

static unsigned long files, events, bytes, failures;

static int has_suffix(const char *name, const char *suffix)
{
	size_t n = strlen(name), s = strlen(suffix);

	return n >= s && strcmp(name + n - s, suffix) == 0;
}

static void scan_file(const char *path)
{
	yaml_parser_t parser;
	yaml_event_t event;
	FILE *in = fopen(path, "rb");
	int done = 0;

	if (!in) {
		fprintf(stderr, "yaml_scan: failed to open '%s': %s\n", path,
			strerror(errno));
		failures++;
		return;
	}
	yaml_parser_initialize(&parser);
	yaml_parser_set_input_file(&parser, in);
	while (!done) {
		if (!yaml_parser_parse(&parser, &event)) {
			fprintf(stderr, "yaml_scan: %s:%zu:%zu: %s\n", path,
				parser.problem_mark.line + 1,
				parser.problem_mark.column + 1,
				parser.problem ? parser.problem : "error");
			failures++;
			break;
		}
		done = event.type == YAML_STREAM_END_EVENT;
		events++;
		yaml_event_delete(&event);
	}
	bytes += (unsigned long)ftell(in);
	yaml_parser_delete(&parser);
	fclose(in);
	files++;
}

static int visit(const char *path, const struct stat *st, int type,
		 struct FTW *ftw)
{
	const char *base = path + ftw->base;

	(void)st;
	if (type == FTW_D && ftw->level > 0 && base[0] == '.')
		return FTW_SKIP_SUBTREE;
	if (type == FTW_F && (has_suffix(base, ".yaml") ||
			      has_suffix(base, ".yml")))
		scan_file(path);
	return FTW_CONTINUE;
}

int main(int argc, char **argv)
{
	int i;

	if (argc < 2) {
		fprintf(stderr, "usage: yaml_scan PATH...\n");
		return 2;
	}
	for (i = 1; i < argc; i++)
		if (nftw(argv[i], visit, 32,
			 FTW_PHYS | FTW_ACTIONRETVAL) != 0) {
			fprintf(stderr, "yaml_scan: failed to read '%s': %s\n",
				argv[i], strerror(errno));
			return 1;
		}
	printf("%lu files, %lu bytes, %lu events\n", files, bytes, events);
	return failures ? 1 : 0;
}
