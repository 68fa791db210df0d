#ifndef TRUNKSIM_H
#define TRUNKSIM_H

/*
 * trunksim: an HTTP simulator of the trunk API contract (token, edges,
 * trunks, activation, diagnostics) with fault injection, for tests and
 * benchmarks. One `struct server` contains all state; main() owns it and
 * libmicrohttpd passes it to the request handler.
 *
 * Locking: the edge and trunk store has one mutex (store.lock), the
 * faults, tokens, request counts and the random generator each have
 * their own. No function takes two of these locks at once, except
 * that store functions may call random_next() while holding store.lock.
 */

#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#define EDGES_PATH "/api/v2/telephony/providers/edges"
#define UUID_SIZE 37
#define ID_MAX 64
#define TOKEN_SIZE 65
#define PAGE_SIZE_MAX 100
#define PAGE_SIZE_DEFAULT 25
#define BODY_MAX (1024 * 1024)

/* The route templates that requests are counted and faulted by. */
enum route {
	ROUTE_NONE = -1,
	ROUTE_TOKEN = 0,
	ROUTE_EDGES,
	ROUTE_EDGE,
	ROUTE_TRUNKS,
	ROUTE_TRUNK,
	ROUTE_ACTIVATE,
	ROUTE_DEACTIVATE,
	ROUTE_DIAGNOSTICS,
	ROUTE_COUNT
};

enum trunk_status {
	STATUS_PENDING = 0,
	STATUS_ENABLED,
	STATUS_DISABLED,
	STATUS_FAILED,
};

enum codec {
	CODEC_PCMU = 0,
	CODEC_PCMA,
	CODEC_G729,
	CODEC_G722,
	CODEC_COUNT
};

struct cidr {
	uint32_t network; /* host byte order */
	uint32_t mask;
};

struct config {
	int port;
	const char *port_file;
	const char *dump_file;
	int verbose;
	const char *client_id;
	const char *client_secret;
	long token_ttl;                 /* seconds */
	const char *seed_file;
	int edges;                      /* generated state, when > 0 */
	int trunks_per_edge;
	uint64_t random_seed;
	int max_trunks;                 /* default per edge */
	long activation_delay_ms;
	struct cidr *fail_cidrs;
	size_t fail_cidr_count;
	int invite_response;
	int max_page_size;
	long latency_ms;
	long latency_jitter_ms;
	long rate_limit;                /* requests a minute per token; 0 off */
	double fail_rate;
	double drop_rate;
	const char *tls_cert;           /* PEM file; with tls_key: HTTPS */
	const char *tls_key;
	char *tls_cert_pem;             /* their contents, read at start */
	char *tls_key_pem;
};

/* A deterministic generator (splitmix64) shared by all threads. */
struct random {
	pthread_mutex_t lock;
	uint64_t state;
};

/* The fields a create or update payload carries. */
struct trunk_fields {
	char *name;
	char *description;
	char **endpoints;
	size_t endpoint_count;
	unsigned char codecs[CODEC_COUNT];
	size_t codec_count;
	int max_calls;
	bool nat_traversal;
	int keepalive_interval;
	bool keepalive_options;         /* OPTIONS rather than SIP */
	int invite_timeout;
	int rtp_timeout;
};

struct trunk {
	char id[UUID_SIZE];
	struct trunk_fields f;
	long version;
	enum trunk_status status;       /* as last stored; see trunk_status() */
	int64_t activate_at;            /* monotonic ms; 0: not activating */
	bool deleted;
	int64_t created;                /* wall clock ms */
	int64_t modified;
	int64_t visible_at;             /* monotonic ms; unlisted before */
};

struct edge {
	char id[UUID_SIZE];
	char *name;
	int max_trunks;
	struct trunk **trunks;          /* by name ignoring case, then id */
	size_t trunk_count;
	size_t trunk_cap;
};

struct store {
	pthread_mutex_t lock;
	struct edge **edges;            /* by name ignoring case, then id */
	struct edge **by_id;            /* the same edges sorted by id */
	size_t edge_count;
	long lag_ms;                    /* creates hidden from listings */
};

struct server;

/* util.c */
int64_t clock_mono_ms(void);
double clock_mono_ms_exact(void);
int64_t clock_real_ms(void);
void format_iso8601(int64_t real_ms, char out[32]);
void uuid_random(char out[UUID_SIZE]);
void uuid_from_random(struct random *random, char out[UUID_SIZE]);
void token_random(char out[TOKEN_SIZE]);
void random_init(struct random *random, uint64_t seed);
void random_release(struct random *random);
uint64_t random_next(struct random *random);
double random_unit(struct random *random);
void sleep_ms(long ms);
char *url_encode(const char *text);
char *text_dup(const char *text);
char *text_printf(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));
bool parse_long(const char *text, long min, long max, long *out);
int cidr_parse(const char *text, struct cidr *out);
bool cidr_contains(const struct cidr *cidrs, size_t count, const char *host);

/* fields.c: payload decoding and validation. */
struct field_error {
	int status;                     /* 400 */
	const char *code;               /* bad.request or invalid.value */
	const char *field;              /* NULL for bad.request */
	char message[256];
};

enum fields_mode {
	FIELDS_PAYLOAD,                 /* create or update: strict */
	FIELDS_SEED,                    /* seed file: only name required */
	FIELDS_MERGE,                   /* set_trunk: change what is given */
};

void trunk_fields_init(struct trunk_fields *f);
void trunk_fields_release(struct trunk_fields *f);
int trunk_fields_copy(struct trunk_fields *dst, const struct trunk_fields *src);
bool endpoint_valid(const char *text);
int trunk_fields_decode(const cJSON *json, enum fields_mode mode,
			struct trunk_fields *f, struct field_error *err);
void trunk_fields_to_json(const struct trunk_fields *f, cJSON *obj);
const char *codec_name(enum codec codec);
const char *status_name(enum trunk_status status);
int status_parse(const char *text, enum trunk_status *out);

/* store.c */
int store_init(struct store *store);
void store_release(struct store *store);
struct edge *store_find_edge(struct store *store, const char *id);
struct trunk *edge_find_trunk(struct edge *edge, const char *id);
struct trunk *edge_find_active_name(struct edge *edge, const char *name,
				    const struct trunk *except);
size_t edge_active_count(const struct edge *edge);
int edge_insert_trunk(struct edge *edge, struct trunk *trunk);
void edge_resort_trunk(struct edge *edge, struct trunk *trunk);
struct edge *store_add_edge(struct store *store, const char *id,
			    const char *name, int max_trunks);
int store_index(struct store *store);
struct trunk *trunk_new(void);
void trunk_free(struct trunk *trunk);
enum trunk_status trunk_status(const struct server *srv,
			       const struct trunk *trunk, int64_t now);
void trunk_settle(const struct server *srv, struct trunk *trunk,
		  int64_t now);
cJSON *trunk_to_json(const struct server *srv, const struct edge *edge,
		     const struct trunk *trunk, int64_t now);
cJSON *edge_to_json(const struct edge *edge);

/* seed.c */
int seed_load(struct server *srv, const char *path);
int seed_generate(struct server *srv);
cJSON *store_dump(struct server *srv);
int store_dump_file(struct server *srv, const char *path);
struct trunk *trunk_from_seed(struct server *srv, const cJSON *json,
			      struct field_error *err);
char *file_read(const char *path);

enum fault_kind {
	FAULT_429 = 0,
	FAULT_503,
	FAULT_DROP,
	FAULT_TRUNCATE,
	FAULT_INVALID_JSON,
	FAULT_DELAY,
	FAULT_DROP_BEFORE_COMMIT,
	FAULT_DROP_AFTER_COMMIT,
	FAULT_ENDLESS,
};

/* One fault added through the admin API, applied to matching responses. */
struct fault {
	enum fault_kind kind;
	char *method;                   /* NULL: any API route ("*") */
	enum route route;
	long remaining;                 /* responses left; < 0: unlimited */
	char retry_after[64];
	long delay_ms;
	struct fault *next;
};

/* A trunk to insert after some further listings of an edge's trunks. */
struct pending_insert {
	char edge_id[ID_MAX];
	long listings_left;
	struct trunk *trunk;
	struct pending_insert *next;
};

struct faults {
	pthread_mutex_t lock;
	struct fault *head;             /* in the order added */
	struct pending_insert *inserts;
};

struct log_entry {
	double t;                       /* ms since start */
	char method[8];
	char *path;
	int status;                     /* 0: connection dropped */
};

#define METHOD_COUNT 6

struct stats {
	pthread_mutex_t lock;
	long total;
	long counts[ROUTE_COUNT][METHOD_COUNT];
	struct log_entry *log;
	size_t log_count;
	size_t log_cap;
	long log_dropped;
};

struct token {
	char value[TOKEN_SIZE];
	int64_t expires_at;             /* monotonic ms */
	int64_t *window;                /* rate limit: times of recent calls */
	long window_start;
	long window_count;
	struct token *next;
};

struct tokens {
	pthread_mutex_t lock;
	struct token *head;
};

struct server {
	struct config cfg;
	struct store store;
	struct faults faults;
	struct stats stats;
	struct tokens tokens;
	struct random random;
	double started;                 /* clock_mono_ms_exact() at start */
	void *daemon;                   /* struct MHD_Daemon */
	int port;
	atomic_bool stopping;           /* cuts injected delays short */
};

/* One request in progress; the handler fills `reply`. */
struct request {
	struct server *srv;
	void *connection;               /* struct MHD_Connection */
	const char *method;
	const char *url;
	char *body;
	size_t body_len;
	size_t body_cap;
	bool body_too_large;
	enum route route;
	char edge_id[ID_MAX];
	char trunk_id[ID_MAX];
	char correlation_id[UUID_SIZE];
	bool endless;
	const char *token;              /* the bearer token once checked */
};

struct reply {
	unsigned int status;
	char *body;                     /* malloc'd JSON, or NULL */
	char retry_after[64];
	bool drop;                      /* close without a response */
};

/* reply.c */
const char *request_arg(struct request *req, const char *key);
void reply_json(struct reply *rep, unsigned int status, cJSON *json);
void reply_error(struct request *req, struct reply *rep, unsigned int status,
		 const char *code, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
void reply_field_error(struct request *req, struct reply *rep,
		       const struct field_error *err);
cJSON *request_json(struct request *req, struct reply *rep);
bool page_args(struct request *req, struct reply *rep, long *page_size,
	       long *page_number);
cJSON *listing_new(struct request *req, long total, long page_size,
		   long page_number, const char *extra_query);

/* api.c and trunks.c: one handler per route. */
void api_edges(struct request *req, struct reply *rep);
void api_edge(struct request *req, struct reply *rep);
void api_diagnostics(struct request *req, struct reply *rep);
void api_trunks_list(struct request *req, struct reply *rep);
void api_trunk_create(struct request *req, struct reply *rep);
void api_trunk_get(struct request *req, struct reply *rep);
void api_trunk_update(struct request *req, struct reply *rep);
void api_trunk_delete(struct request *req, struct reply *rep);
void api_trunk_activate(struct request *req, struct reply *rep);
void api_trunk_deactivate(struct request *req, struct reply *rep);

/* auth.c */
void tokens_init(struct tokens *tokens);
void tokens_release(struct tokens *tokens);
void tokens_expire_all(struct tokens *tokens);
cJSON *tokens_to_json(struct tokens *tokens);
void auth_token(struct request *req, struct reply *rep);
bool auth_check(struct request *req, struct reply *rep);

/* faults.c */
void faults_init(struct faults *faults);
void faults_release(struct faults *faults);
void faults_clear(struct faults *faults);
struct fault faults_take(struct faults *faults, const char *method,
			 enum route route, bool *found);
void faults_after_listing(struct server *srv, const char *edge_id);
void admin_faults(struct request *req, struct reply *rep);

/* stats.c */
const char *route_template(enum route route);
void stats_init(struct stats *stats);
void stats_release(struct stats *stats);
void stats_count(struct stats *stats, const char *method, enum route route);
void stats_log(struct server *srv, const char *method, const char *path,
	       int status);
void stats_reset(struct stats *stats);
cJSON *stats_to_json(struct stats *stats, bool with_log);

/* admin.c */
bool admin_route(struct request *req, struct reply *rep);
bool admin_lag(struct request *req, struct reply *rep, const cJSON *json);
bool admin_set_trunk(struct request *req, struct reply *rep,
		     const cJSON *json);

/* server.c */
int server_start(struct server *srv);
void server_stop(struct server *srv);

#endif
