#ifndef TRUNKCTL_TESTS_SUPPORT_SIM_H
#define TRUNKCTL_TESTS_SUPPORT_SIM_H

/*
 * Starting and driving trunksim from tests. Each started simulator runs
 * as a child process on 127.0.0.1 and a free port, with its port file
 * and stderr log (stderr.log) in a temporary folder of its own. The
 * helpers use libcurl and are safe to call from several threads on one
 * started simulator; sim_start and sim_stop are not.
 */

#include <stddef.h>
#include <sys/types.h>

#define SIM_CLIENT_ID "trunkctl-test-client"
#define SIM_CLIENT_SECRET "sim-secret-3c1f8d2a" /* tests grep output for it */

struct sim {
	pid_t pid;
	int port;
	char url[64];  /* "http://127.0.0.1:PORT" */
	char dir[256]; /* the temporary folder: port file, stderr.log */
};

/*
 * Starts TRUNKSIM_PATH with --port 0 --port-file DIR/port and the client
 * credentials above, plus `args` (NULL-terminated, may be NULL), and
 * waits up to 10 s for the port file. Returns 0, or -1 with a message on
 * stderr.
 */
int sim_start(struct sim *sim, const char *const *args);

/*
 * Sends SIGTERM, waits (SIGKILL after 10 s) and removes the folder.
 * Returns the exit status, 128 + the signal number when killed by one,
 * or -1 when nothing was started.
 */
int sim_stop(struct sim *sim);

/*
 * Sends a request without a token (admin routes). Returns the HTTP
 * status, or -1 on a transport error; *body gets the malloc'd body when
 * `body` is not NULL.
 */
long sim_request(struct sim *sim, const char *method, const char *path,
		 const char *json_body, char **body);

/* As sim_request, with Authorization: Bearer `token` (NULL: none). */
long sim_api(struct sim *sim, const char *token, const char *method,
	     const char *path, const char *json_body, char **body);

/* A response with the headers that tests check. */
struct sim_response {
	long status;               /* -1 on a transport error */
	int curl_code;             /* CURLcode of the transfer */
	char *body;                /* malloc'd, NUL-terminated, never NULL */
	size_t body_len;
	char correlation_id[64];   /* ININ-Correlation-Id, or "" */
	char retry_after[64];      /* Retry-After, or "" */
	char content_type[64];
};

/*
 * Sends a request with Authorization: Bearer `token` (NULL: none) and
 * fills `res`, which the caller releases with sim_response_release.
 * Returns res->status.
 */
long sim_call(struct sim *sim, const char *token, const char *method,
	      const char *path, const char *json_body,
	      struct sim_response *res);
void sim_response_release(struct sim_response *res);

/*
 * Count of requests to a route template since the last reset, e.g.
 * sim_count(sim, "GET", "/api/v2/telephony/providers/edges/{edgeId}/trunks").
 * `method` NULL counts every method; `route` NULL returns the total.
 * Returns -1 when the simulator cannot be asked.
 */
long sim_count(struct sim *sim, const char *method, const char *route);

/* Clears the counts and the request log. Returns 0 on success. */
int sim_reset_counts(struct sim *sim);

/* Adds a fault: sim_fault(sim, "{\"kind\":\"503\",...}"). 0 on 2xx. */
int sim_fault(struct sim *sim, const char *json);

/* Removes every fault (DELETE /__sim/faults). 0 on 2xx. */
int sim_clear_faults(struct sim *sim);

/* Fetches a bearer token into `token`. Returns 0, or -1. */
int sim_token(struct sim *sim, char *token, size_t size);

/*
 * Writes `text` to the file `name` in sim->dir (the folder exists once
 * sim_prepare or sim_start has run) and stores its path in `path`.
 * Returns 0, or -1.
 */
int sim_write_file(struct sim *sim, const char *name, const char *text,
		   char *path, size_t size);

/*
 * Creates sim->dir before sim_start, so a seed file can be written there
 * first; sim_start reuses a folder already made. Returns 0, or -1.
 */
int sim_prepare(struct sim *sim);

#endif
