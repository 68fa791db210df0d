/*
 * The manifest loader: finds files, reads them, parses each into a YAML
 * tree, hands every document to the schema, and checks that each edge
 * is declared once across all inputs.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "model/edge_index.h"
#include "model/error.h"
#include "model/manifest.h"
#include "model/manifest_internal.h"
#include "model/yaml_tree.h"

/* An input that held no trunkctl document, reported by finish(). */
struct empty_input {
	char *name;
	size_t rank;
	bool folder;            /* a folder without *.yaml or *.yml files */
};

/* A file read already, to notice the same file given twice. */
struct read_file {
	dev_t device;
	ino_t inode;
	char *name;
};

struct manifest_loader {
	struct diag_list diags;
	struct desired_model model;
	size_t edge_alloc;
	size_t file_alloc;
	size_t documents;       /* trunkctl documents read */
	size_t next_rank;
	struct empty_input *empty;
	size_t empty_count;
	size_t empty_alloc;
	struct edge_index edge_index;   /* ids and names of model.edges */
	struct read_file *read_files;
	size_t read_file_count;
	size_t read_file_alloc;
	manifest_edge_fn *on_edge;
	void *on_edge_context;
	bool finished;
};

struct path_list {
	char **paths;
	size_t count;
	size_t alloc;
};

static int out_of_memory(void)
{
	return error_set(TRUNKCTL_ENOMEM, "out of memory loading manifests");
}

struct manifest_loader *manifest_loader_new(void)
{
	struct manifest_loader *loader = calloc(1, sizeof(*loader));

	if (!loader) {
		out_of_memory();
		return NULL;
	}
	diag_list_init(&loader->diags);
	return loader;
}

void manifest_loader_free(struct manifest_loader *loader)
{
	size_t i;

	if (!loader)
		return;
	diag_list_release(&loader->diags);
	desired_model_release(&loader->model);
	for (i = 0; i < loader->empty_count; i++)
		free(loader->empty[i].name);
	free(loader->empty);
	for (i = 0; i < loader->read_file_count; i++)
		free(loader->read_files[i].name);
	free(loader->read_files);
	edge_index_release(&loader->edge_index);
	free(loader);
}

void manifest_loader_on_edge(struct manifest_loader *loader,
			     manifest_edge_fn *callback, void *context)
{
	loader->on_edge = callback;
	loader->on_edge_context = context;
}

const struct diag_list *
manifest_loader_diagnostics(const struct manifest_loader *loader)
{
	return &loader->diags;
}

/* Grows `*items` (of `size`-byte elements) to hold one more. */
static int reserve(void **items, size_t *alloc, size_t count, size_t size)
{
	size_t new_alloc;
	void *grown;

	if (count < *alloc)
		return 0;
	new_alloc = *alloc ? *alloc * 2 : 8;
	grown = realloc(*items, new_alloc * size);
	if (!grown)
		return out_of_memory();
	*items = grown;
	*alloc = new_alloc;
	return 0;
}

/* Reports a problem with a whole file or folder (no line). */
static int report_input(struct manifest_loader *loader,
			enum diag_severity severity, const char *name,
			size_t rank, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

static int report_input(struct manifest_loader *loader,
			enum diag_severity severity, const char *name,
			size_t rank, const char *fmt, ...)
{
	struct diag_source source;
	va_list ap;
	int rc;

	diag_source_init(&source, name, NULL, 0, rank);
	va_start(ap, fmt);
	rc = diag_addv(&loader->diags, severity, &source, 0, 0, fmt, ap);
	va_end(ap);
	return rc < 0 ? rc : TRUNKCTL_EINVALID;
}

static int remember_empty(struct manifest_loader *loader, const char *name,
			  size_t rank, bool folder)
{
	struct empty_input *entry;
	int rc;

	rc = reserve((void **)&loader->empty, &loader->empty_alloc,
		     loader->empty_count, sizeof(*loader->empty));
	if (rc < 0)
		return rc;
	entry = &loader->empty[loader->empty_count];
	entry->name = strdup(name);
	if (!entry->name)
		return out_of_memory();
	entry->rank = rank;
	entry->folder = folder;
	loader->empty_count++;
	return 0;
}

/* Copies `name` into the model's files and returns the copy, or NULL. */
static const char *add_file(struct manifest_loader *loader, const char *name)
{
	struct desired_model *model = &loader->model;
	char *copy;

	if (reserve((void **)&model->files, &loader->file_alloc,
		    model->file_count, sizeof(*model->files)) < 0)
		return NULL;
	copy = strdup(name);
	if (!copy) {
		out_of_memory();
		return NULL;
	}
	model->files[model->file_count++] = copy;
	return copy;
}

/*
 * Reports an edge that an earlier document declared already, by id or
 * by name (both compared ignoring case).
 */
static int check_duplicate_edge(struct manifest_loader *loader,
				struct manifest_context *ctx,
				const struct desired_edge *edge)
{
	const struct desired_model *model = &loader->model;
	const struct desired_edge *other;
	size_t by_id_at, by_name_at;
	char quoted[96];
	const char *text;
	bool by_id;

	by_id_at = edge_index_find(&loader->edge_index, EDGE_INDEX_ID,
				   edge->edge.id);
	by_name_at = edge_index_find(&loader->edge_index, EDGE_INDEX_NAME,
				     edge->edge.name);
	if (by_id_at == EDGE_INDEX_NONE && by_name_at == EDGE_INDEX_NONE)
		return 0;

	/* The earliest edge that matches, as a scan in order finds it. */
	by_id = by_id_at <= by_name_at;
	other = &model->edges[by_id ? by_id_at : by_name_at];
	text = by_id ? edge->edge.id : edge->edge.name;
	diag_add(ctx->diags, DIAG_ERROR, ctx->source, edge->where.line,
		 edge->where.column, "edge %s '%s' is already declared "
		 "at %s:%d", by_id ? "id" : "name",
		 diag_quote(quoted, sizeof(quoted), text, strlen(text)),
		 other->where.file, other->where.line);
	return TRUNKCTL_EINVALID;
}

/*
 * Keeps the edge in the model. Edges with errors are kept too, so that a
 * later duplicate is still found; finish() never hands out a model with
 * errors.
 */
static int keep_edge(struct manifest_loader *loader,
		     struct desired_edge *edge)
{
	struct desired_model *model = &loader->model;
	struct desired_edge *kept;
	int rc;

	rc = reserve((void **)&model->edges, &loader->edge_alloc,
		     model->edge_count, sizeof(*model->edges));
	if (rc < 0)
		return rc;
	kept = &model->edges[model->edge_count];
	*kept = *edge;
	memset(edge, 0, sizeof(*edge));
	rc = edge_index_add(&loader->edge_index, EDGE_INDEX_ID, kept->edge.id,
			    model->edge_count);
	if (rc == 0)
		rc = edge_index_add(&loader->edge_index, EDGE_INDEX_NAME,
				    kept->edge.name, model->edge_count);
	model->edge_count++;
	return rc;
}

static int load_document(struct manifest_loader *loader,
			 struct manifest_context *ctx,
			 const struct yaml_tree_document *document,
			 size_t *non_empty)
{
	struct desired_edge edge = { 0 };
	int rc;

	rc = manifest_read_document(ctx, document, &edge);
	if (rc == MANIFEST_DOCUMENT_EMPTY)
		return 0;
	(*non_empty)++;
	if (rc == MANIFEST_DOCUMENT_SKIPPED || rc == TRUNKCTL_ENOMEM)
		goto done;

	loader->documents++;
	check_duplicate_edge(loader, ctx, &edge);
	rc = keep_edge(loader, &edge);
	if (rc == 0 && loader->on_edge && loader->diags.errors == 0)
		loader->on_edge(loader->on_edge_context,
				&loader->model.edges[loader->model.edge_count - 1],
				loader->model.edge_count - 1);

done:
	desired_edge_release(&edge);
	return rc == TRUNKCTL_ENOMEM ? rc : 0;
}

static int report_too_large(struct manifest_loader *loader, const char *name,
			    size_t rank, unsigned long long size)
{
	return report_input(loader, DIAG_ERROR, name, rank,
			    "the file is %llu bytes; manifests are limited to "
			    "16 MiB (%u bytes)", size, MANIFEST_MAX_BYTES);
}

int manifest_load_buffer(struct manifest_loader *loader,
			 const char *display_name, const char *data,
			 size_t length)
{
	size_t errors = loader->diags.errors, non_empty = 0, i;
	size_t rank = loader->next_rank++;
	struct manifest_context ctx;
	struct diag_source source;
	struct yaml_tree tree;
	const char *file;
	int rc;

	if (length > MANIFEST_MAX_BYTES)
		return report_too_large(loader, display_name, rank, length);
	if (!data) {
		data = "";
		length = 0;
	}
	file = add_file(loader, display_name);
	if (!file)
		return TRUNKCTL_ENOMEM;

	diag_source_init(&source, file, data, length, rank);
	yaml_tree_init(&tree);
	ctx.diags = &loader->diags;
	ctx.source = &source;
	ctx.file = file;

	rc = yaml_tree_parse(&tree, data, length, &loader->diags, &source);
	for (i = 0; rc == 0 && i < tree.document_count; i++)
		rc = load_document(loader, &ctx, &tree.documents[i],
				   &non_empty);
	if (rc == 0 && non_empty == 0)
		rc = remember_empty(loader, file, rank, false);
	if (rc != TRUNKCTL_ENOMEM)
		rc = loader->diags.errors > errors ? TRUNKCTL_EINVALID : 0;

	yaml_tree_release(&tree);
	diag_source_release(&source);
	return rc;
}

/*
 * Reads at most MANIFEST_MAX_BYTES + 1 bytes, so that a file which grew
 * after fstat() is still found too large. On TRUNKCTL_EIO, `*error` is
 * the errno of read().
 */
static int read_all(int fd, size_t expected, char **data, size_t *length,
		    int *error)
{
	size_t alloc = expected + 1, used = 0;
	char *buffer = malloc(alloc);
	ssize_t n;

	if (!buffer)
		return out_of_memory();
	for (;;) {
		if (used == alloc) {
			char *grown;

			alloc = alloc * 2 > MANIFEST_MAX_BYTES + 1 ?
					MANIFEST_MAX_BYTES + 1 : alloc * 2;
			grown = used < alloc ? realloc(buffer, alloc) : NULL;
			if (!grown)
				break;
			buffer = grown;
		}
		n = read(fd, buffer + used, alloc - used);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (n < 0) {
				*error = errno;
				free(buffer);
				return TRUNKCTL_EIO;
			}
			break;
		}
		used += (size_t)n;
	}
	*data = buffer;
	*length = used;
	return 0;
}

/*
 * Records the file `st` as read and returns NULL, or returns the name
 * under which it was read already. A file named as a PATH and found
 * again in a folder PATH, or through a symbolic link, is the same file.
 */
static const char *find_or_add_read_file(struct manifest_loader *loader,
					 const struct stat *st,
					 const char *path, int *rc)
{
	struct read_file *entry;
	size_t i;

	*rc = 0;
	for (i = 0; i < loader->read_file_count; i++)
		if (loader->read_files[i].device == st->st_dev &&
		    loader->read_files[i].inode == st->st_ino)
			return loader->read_files[i].name;
	*rc = reserve((void **)&loader->read_files, &loader->read_file_alloc,
		      loader->read_file_count, sizeof(*loader->read_files));
	if (*rc < 0)
		return NULL;
	entry = &loader->read_files[loader->read_file_count];
	entry->name = strdup(path);
	if (!entry->name) {
		*rc = out_of_memory();
		return NULL;
	}
	entry->device = st->st_dev;
	entry->inode = st->st_ino;
	loader->read_file_count++;
	return NULL;
}

int manifest_load_file(struct manifest_loader *loader, const char *path)
{
	const char *first_name;
	char *data = NULL;
	size_t length = 0;
	struct stat st;
	int fd, rc, error = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return report_input(loader, DIAG_ERROR, path,
				    loader->next_rank++, "cannot open: %s",
				    strerror(errno));
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		rc = report_input(loader, DIAG_ERROR, path,
				  loader->next_rank++,
				  "cannot read: not a regular file");
		goto done;
	}
	first_name = find_or_add_read_file(loader, &st, path, &rc);
	if (rc < 0)
		goto done;
	if (first_name) {
		rc = report_input(loader, DIAG_WARNING, path,
				  loader->next_rank++, "skipped: the same file "
				  "as '%s', which was read already",
				  first_name);
		if (rc != TRUNKCTL_ENOMEM)
			rc = 0;
		goto done;
	}
	if ((unsigned long long)st.st_size > MANIFEST_MAX_BYTES) {
		rc = report_too_large(loader, path, loader->next_rank++,
				      (unsigned long long)st.st_size);
		goto done;
	}

	rc = read_all(fd, (size_t)st.st_size, &data, &length, &error);
	if (rc == TRUNKCTL_EIO)
		rc = report_input(loader, DIAG_ERROR, path,
				  loader->next_rank++, "cannot read: %s",
				  strerror(error));
	else if (rc == 0)
		rc = manifest_load_buffer(loader, path, data, length);

done:
	free(data);
	close(fd);
	return rc;
}

static bool is_manifest_name(const char *name)
{
	size_t length = strlen(name);

	return (length > 5 && strcmp(name + length - 5, ".yaml") == 0) ||
	       (length > 4 && strcmp(name + length - 4, ".yml") == 0);
}

static int add_path(struct path_list *list, char *path)
{
	int rc = reserve((void **)&list->paths, &list->alloc, list->count,
			 sizeof(*list->paths));

	if (rc < 0) {
		free(path);
		return rc;
	}
	list->paths[list->count++] = path;
	return 0;
}

static char *join_path(const char *folder, const char *name)
{
	size_t a = strlen(folder), b = strlen(name);
	char *path = malloc(a + b + 2);

	if (!path)
		return NULL;
	memcpy(path, folder, a);
	path[a] = '/';
	memcpy(path + a + 1, name, b + 1);
	return path;
}

#define FOLDER_DEPTH_MAX 32

static int collect(struct manifest_loader *loader, const char *folder,
		   int depth, struct path_list *list);

/* Adds one folder entry: a manifest file, or a folder to search. */
static int collect_entry(struct manifest_loader *loader, char *path,
			 const char *name, int depth, struct path_list *list)
{
	struct stat st;
	int rc = 0;

	if (lstat(path, &st) < 0) {
		rc = report_input(loader, DIAG_ERROR, path,
				  loader->next_rank++, "cannot read: %s",
				  strerror(errno));
	} else if (S_ISDIR(st.st_mode)) {
		rc = collect(loader, path, depth + 1, list);
	} else if (is_manifest_name(name) &&
		   (S_ISREG(st.st_mode) ||
		    (S_ISLNK(st.st_mode) && stat(path, &st) == 0 &&
		     S_ISREG(st.st_mode)))) {
		return add_path(list, path);
	}
	free(path);
	return rc;
}

/* Lists the manifest files under `folder`, skipping hidden entries. */
static int collect(struct manifest_loader *loader, const char *folder,
		   int depth, struct path_list *list)
{
	struct dirent *entry;
	DIR *dir;
	int rc = 0;

	if (depth > FOLDER_DEPTH_MAX)
		return report_input(loader, DIAG_ERROR, folder,
				    loader->next_rank++, "folders nested "
				    "deeper than %d levels", FOLDER_DEPTH_MAX);
	dir = opendir(folder);
	if (!dir)
		return report_input(loader, DIAG_ERROR, folder,
				    loader->next_rank++, "cannot open "
				    "folder: %s", strerror(errno));

	while (rc != TRUNKCTL_ENOMEM && (entry = readdir(dir))) {
		char *path;

		if (entry->d_name[0] == '.')
			continue;
		path = join_path(folder, entry->d_name);
		rc = path ? collect_entry(loader, path, entry->d_name, depth,
					  list) :
			    out_of_memory();
	}
	closedir(dir);
	return rc == TRUNKCTL_ENOMEM ? rc : 0;
}

static int compare_paths(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int load_folder(struct manifest_loader *loader, const char *path)
{
	struct path_list list = { 0 };
	size_t rank = loader->next_rank++, length = strlen(path), i;
	char *root = strdup(path);
	int rc = 0, file_rc;

	if (!root)
		return out_of_memory();
	while (length > 1 && root[length - 1] == '/')
		root[--length] = '\0';

	rc = collect(loader, root, 0, &list);
	if (list.paths)
		qsort(list.paths, list.count, sizeof(*list.paths),
		      compare_paths);
	if (rc == 0 && list.count == 0)
		rc = remember_empty(loader, root, rank, true);
	for (i = 0; rc != TRUNKCTL_ENOMEM && i < list.count; i++) {
		file_rc = manifest_load_file(loader, list.paths[i]);
		if (file_rc < 0)
			rc = file_rc;
	}

	for (i = 0; i < list.count; i++)
		free(list.paths[i]);
	free(list.paths);
	free(root);
	return rc;
}

int manifest_load_paths(struct manifest_loader *loader,
			const char *const *paths, size_t count)
{
	size_t errors = loader->diags.errors, i;
	struct stat st;
	int rc = 0;

	for (i = 0; i < count && rc != TRUNKCTL_ENOMEM; i++) {
		if (stat(paths[i], &st) < 0)
			rc = report_input(loader, DIAG_ERROR, paths[i],
					  loader->next_rank++,
					  "cannot open: %s", strerror(errno));
		else if (S_ISDIR(st.st_mode))
			rc = load_folder(loader, paths[i]);
		else
			rc = manifest_load_file(loader, paths[i]);
	}
	if (rc == TRUNKCTL_ENOMEM)
		return rc;
	return loader->diags.errors > errors ? TRUNKCTL_EINVALID : 0;
}

/*
 * Reports inputs that held no trunkctl document: warnings when other
 * inputs did, errors when nothing at all was found, so that an empty
 * manifest set never reads as "no trunks wanted".
 */
static int report_empty_inputs(struct manifest_loader *loader)
{
	enum diag_severity severity = DIAG_WARNING;
	size_t i;
	int rc;

	if (loader->documents == 0 && loader->diags.errors == 0)
		severity = DIAG_ERROR;
	for (i = 0; i < loader->empty_count; i++) {
		const struct empty_input *e = &loader->empty[i];

		rc = report_input(loader, severity, e->name, e->rank,
				  e->folder ? "no *.yaml or *.yml file found" :
					      "no manifest: the file is empty "
					      "or contains only comments");
		if (rc == TRUNKCTL_ENOMEM)
			return rc;
	}
	if (loader->documents || loader->diags.errors)
		return 0;
	return diag_add(&loader->diags, DIAG_ERROR, NULL, 0, 0,
			"no trunkctl manifest found: %zu file%s read, none "
			"with a document of apiVersion trunkctl/v1",
			loader->model.file_count,
			loader->model.file_count == 1 ? "" : "s");
}

int manifest_loader_finish(struct manifest_loader *loader,
			   struct desired_model *out)
{
	size_t errors;
	int rc;

	memset(out, 0, sizeof(*out));
	if (loader->finished)
		return error_set(TRUNKCTL_EINVALID, "the manifest loader has "
				 "finished already");
	loader->finished = true;

	rc = report_empty_inputs(loader);
	if (rc == TRUNKCTL_ENOMEM)
		return rc;
	diag_list_sort(&loader->diags);

	errors = loader->diags.errors;
	if (errors)
		return error_set(TRUNKCTL_EINVALID, "%zu error%s in the "
				 "manifests", errors, errors == 1 ? "" : "s");
	*out = loader->model;
	memset(&loader->model, 0, sizeof(loader->model));
	return 0;
}
