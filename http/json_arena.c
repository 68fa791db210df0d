#include <pthread.h>
#include <stdalign.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>

#include <cjson/cJSON.h>

#include "http/json_arena.h"

#define BLOCK_SIZE (64 * 1024)
#define ALIGNMENT alignof(max_align_t)

struct block {
	struct block *next;
	size_t used;
	size_t size;
	alignas(max_align_t) unsigned char data[];
};

static pthread_once_t install_once = PTHREAD_ONCE_INIT;
static bool installed;
static _Thread_local struct block *blocks;
static _Thread_local int depth;

static void *arena_malloc(size_t size)
{
	struct block *block = blocks;
	void *p;

	if (depth == 0)
		return malloc(size);
	size = (size + ALIGNMENT - 1) & ~(ALIGNMENT - 1);
	if (!block || block->size - block->used < size) {
		size_t capacity = size > BLOCK_SIZE ? size : BLOCK_SIZE;

		block = malloc(sizeof(*block) + capacity);
		if (!block)
			return NULL;
		block->next = blocks;
		block->used = 0;
		block->size = capacity;
		blocks = block;
	}
	p = block->data + block->used;
	block->used += size;
	return p;
}

static void arena_free(void *p)
{
	if (depth == 0)
		free(p);
}

static void install(void)
{
	cJSON_Hooks hooks = { arena_malloc, arena_free };

	cJSON_InitHooks(&hooks);
	installed = true;
}

void http_json_arena_install(void)
{
	pthread_once(&install_once, install);
}

void http_json_arena_begin(void)
{
	if (installed)
		depth++;
}

void http_json_arena_end(void)
{
	struct block *next;

	if (!installed || depth == 0 || --depth > 0)
		return;
	for (; blocks; blocks = next) {
		next = blocks->next;
		free(blocks);
	}
}
