#ifndef TRUNKCTL_HTTP_JSON_ARENA_H
#define TRUNKCTL_HTTP_JSON_ARENA_H

/*
 * A per-thread arena for cJSON's allocations while a listing is read and
 * decoded. A listing of 50 trunks is about 2,000 cJSON nodes and
 * strings, each a malloc() and a free() otherwise, and the fetch threads
 * contend for malloc's arenas with those calls.
 *
 * http_json_arena_install() sets cJSON's allocation hooks, once per
 * process. Call it while no other thread uses cJSON (before the fetch
 * threads start). The hooks call malloc() and free() unless the calling
 * thread is between http_json_arena_begin() and http_json_arena_end();
 * there allocations come from blocks that end() frees together, and
 * cJSON's frees do nothing.
 *
 * Contract for the code between begin() and end() on one thread: every
 * cJSON item it creates is deleted before end(), and it deletes no cJSON
 * item created outside (that item would leak). Without install(),
 * begin() and end() do nothing. Pairs may nest.
 */

void http_json_arena_install(void);
void http_json_arena_begin(void);
void http_json_arena_end(void);

#endif
