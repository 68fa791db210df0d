/*
 * Runs a libFuzzer target over a corpus without libFuzzer: calls
 * LLVMFuzzerTestOneInput once per file of each folder (or file) given,
 * so that the corpus replays as an ordinary test under the sanitizers.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int replay_file(const char *path)
{
	FILE *file = fopen(path, "rb");
	uint8_t *data = NULL;
	long size;
	int rc = -1;

	if (!file) {
		perror(path);
		return -1;
	}
	if (fseek(file, 0, SEEK_END) == 0 && (size = ftell(file)) >= 0 &&
	    fseek(file, 0, SEEK_SET) == 0) {
		data = malloc((size_t)size + 1);
		if (data &&
		    fread(data, 1, (size_t)size, file) == (size_t)size) {
			LLVMFuzzerTestOneInput(data, (size_t)size);
			rc = 0;
		}
	}
	if (rc < 0)
		fprintf(stderr, "%s: cannot read\n", path);
	free(data);
	fclose(file);
	return rc;
}

static int replay_folder(const char *folder, int *count)
{
	struct dirent *entry;
	char path[4096];
	DIR *dir = opendir(folder);
	int rc = 0;

	if (!dir) {
		perror(folder);
		return -1;
	}
	while ((entry = readdir(dir))) {
		if (entry->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", folder, entry->d_name);
		if (replay_file(path) < 0)
			rc = -1;
		else
			(*count)++;
	}
	closedir(dir);
	return rc;
}

int main(int argc, char **argv)
{
	struct stat st;
	int count = 0, rc = 0, i;

	if (argc < 2) {
		fprintf(stderr, "usage: %s CORPUS_FOLDER_OR_FILE...\n",
			argv[0]);
		return 2;
	}
	for (i = 1; i < argc; i++) {
		if (stat(argv[i], &st) == 0 && S_ISDIR(st.st_mode))
			rc |= replay_folder(argv[i], &count);
		else if (replay_file(argv[i]) == 0)
			count++;
		else
			rc = -1;
	}
	printf("replayed %d inputs\n", count);
	return rc ? 1 : 0;
}
