/*
 * The HTTP side: libmicrohttpd in thread-per-connection mode, so that
 * injected latency sleeps in one connection's thread and blocks no other
 * request. Each request is matched to a route template, counted, passed
 * through the faults, then handled by its route's handler.
 */

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <microhttpd.h>

#include "tests/sim/trunksim.h"

#define THREAD_STACK_SIZE (1024 * 1024)

/* Matches a path to a route template, copying the ids it contains. */
static enum route route_match(const char *url, char *edge_id, char *trunk_id)
{
	const size_t prefix = strlen(EDGES_PATH);
	char segments[4][ID_MAX];
	int count = 0;
	const char *p;

	if (strcmp(url, "/oauth/token") == 0)
		return ROUTE_TOKEN;
	if (strncmp(url, EDGES_PATH, prefix) != 0)
		return ROUTE_NONE;
	if (url[prefix] == '\0')
		return ROUTE_EDGES;
	for (p = url + prefix; *p == '/'; count++) {
		size_t len = strcspn(p + 1, "/");

		if (count == 4 || len == 0 || len >= ID_MAX)
			return ROUTE_NONE;
		memcpy(segments[count], p + 1, len);
		segments[count][len] = '\0';
		p += len + 1;
	}
	if (*p || count == 0)
		return ROUTE_NONE;
	snprintf(edge_id, ID_MAX, "%s", segments[0]);
	if (count == 1)
		return ROUTE_EDGE;
	if (count == 2 && strcmp(segments[1], "diagnostics") == 0)
		return ROUTE_DIAGNOSTICS;
	if (strcmp(segments[1], "trunks") != 0)
		return ROUTE_NONE;
	if (count == 2)
		return ROUTE_TRUNKS;
	snprintf(trunk_id, ID_MAX, "%s", segments[2]);
	if (count == 3)
		return ROUTE_TRUNK;
	if (strcmp(segments[3], "activate") == 0)
		return ROUTE_ACTIVATE;
	if (strcmp(segments[3], "deactivate") == 0)
		return ROUTE_DEACTIVATE;
	return ROUTE_NONE;
}

/* Sleeps `ms`, in steps, so that a stopping server does not wait. */
static void delay(struct server *srv, long ms)
{
	while (ms > 0 && !atomic_load(&srv->stopping)) {
		long step = ms < 50 ? ms : 50;

		sleep_ms(step);
		ms -= step;
	}
}

typedef void (*handler_fn)(struct request *req, struct reply *rep);

static const struct {
	enum route route;
	const char *method;
	handler_fn handler;
} handlers[] = {
	{ROUTE_TOKEN, "POST", auth_token},
	{ROUTE_EDGES, "GET", api_edges},
	{ROUTE_EDGE, "GET", api_edge},
	{ROUTE_TRUNKS, "GET", api_trunks_list},
	{ROUTE_TRUNKS, "POST", api_trunk_create},
	{ROUTE_TRUNK, "GET", api_trunk_get},
	{ROUTE_TRUNK, "PUT", api_trunk_update},
	{ROUTE_TRUNK, "DELETE", api_trunk_delete},
	{ROUTE_ACTIVATE, "POST", api_trunk_activate},
	{ROUTE_DEACTIVATE, "POST", api_trunk_deactivate},
	{ROUTE_DIAGNOSTICS, "GET", api_diagnostics},
};

/* Runs the route's handler after the token check; 404 or 405 without. */
static void dispatch(struct request *req, struct reply *rep)
{
	bool known = false;

	for (size_t i = 0; i < sizeof(handlers) / sizeof(handlers[0]); i++) {
		if (handlers[i].route != req->route)
			continue;
		known = true;
		if (strcmp(handlers[i].method, req->method) != 0)
			continue;
		if (req->route == ROUTE_TOKEN || auth_check(req, rep))
			handlers[i].handler(req, rep);
		return;
	}
	if (known)
		reply_error(req, rep, 405, "method.not.allowed",
			    "%s is not allowed on %s", req->method, req->url);
	else
		reply_error(req, rep, 404, "not.found", "no route %s %s",
			    req->method, req->url);
}

/*
 * Applies a fault that acts before the handler. Returns true when the
 * fault produced the response (or dropped it) in place of the handler.
 */
static bool fault_before(struct request *req, struct reply *rep,
			 const struct fault *fault)
{
	switch (fault->kind) {
	case FAULT_DELAY:
		delay(req->srv, fault->delay_ms);
		return false;
	case FAULT_ENDLESS:
		req->endless = true;
		return false;
	case FAULT_429:
		reply_error(req, rep, 429, "too.many.requests.retry.after",
			    "rate limit exceeded (injected fault)");
		break;
	case FAULT_503:
		reply_error(req, rep, 503, "service.unavailable",
			    "the service is unavailable (injected fault)");
		break;
	case FAULT_DROP:
	case FAULT_DROP_BEFORE_COMMIT:
		rep->drop = true;
		return true;
	default:
		return false;
	}
	snprintf(rep->retry_after, sizeof(rep->retry_after), "%s",
		 fault->retry_after);
	return true;
}

/*
 * The flag faults: latency on every request, random drops and random
 * 503s on API routes (not the token route, as with route "*").
 */
static bool flag_faults(struct request *req, struct reply *rep)
{
	const struct config *cfg = &req->srv->cfg;
	long latency = cfg->latency_ms;

	if (cfg->latency_jitter_ms > 0)
		latency += (long)(random_unit(&req->srv->random) *
				  (double)(cfg->latency_jitter_ms + 1));
	if (latency > 0)
		delay(req->srv, latency);
	if (req->route == ROUTE_TOKEN)
		return false;
	if (cfg->drop_rate > 0 &&
	    random_unit(&req->srv->random) < cfg->drop_rate) {
		rep->drop = true;
		return true;
	}
	if (cfg->fail_rate > 0 &&
	    random_unit(&req->srv->random) < cfg->fail_rate) {
		reply_error(req, rep, 503, "service.unavailable",
			    "the service is unavailable (random failure)");
		snprintf(rep->retry_after, sizeof(rep->retry_after), "1");
		return true;
	}
	return false;
}

static void fault_after(struct reply *rep, const struct fault *fault,
			bool *truncate)
{
	if (fault->kind == FAULT_DROP_AFTER_COMMIT) {
		rep->drop = true;
	} else if (fault->kind == FAULT_TRUNCATE) {
		*truncate = true;
	} else if (fault->kind == FAULT_INVALID_JSON) {
		free(rep->body);
		rep->status = 200;
		rep->body = strdup("<html><body>upstream error</body></html>");
	}
}

/* Handles an API or token request, filling `rep`. */
static void answer_api(struct request *req, struct reply *rep,
		       bool *truncate)
{
	struct server *srv = req->srv;
	struct fault fault;
	bool found = false;

	req->route = route_match(req->url, req->edge_id, req->trunk_id);
	stats_count(&srv->stats, req->method, req->route);
	if (req->route != ROUTE_NONE)
		fault = faults_take(&srv->faults, req->method, req->route,
				    &found);
	if (flag_faults(req, rep))
		return;
	if (found && fault_before(req, rep, &fault))
		return;
	if (req->body_too_large) {
		reply_error(req, rep, 413, "bad.request",
			    "the request body exceeds %d bytes", BODY_MAX);
		return;
	}
	dispatch(req, rep);
	if (found)
		fault_after(rep, &fault, truncate);
}

/* A body sent only in part although Content-Length gives it whole. */
struct truncated {
	char *body;
	size_t half;
};

static ssize_t truncated_read(void *cls, uint64_t pos, char *buf, size_t max)
{
	struct truncated *t = cls;
	size_t left;

	if (pos >= t->half)
		return MHD_CONTENT_READER_END_WITH_ERROR;
	left = t->half - (size_t)pos;
	if (left > max)
		left = max;
	memcpy(buf, t->body + pos, left);
	return (ssize_t)left;
}

static void truncated_free(void *cls)
{
	struct truncated *t = cls;

	free(t->body);
	free(t);
}

static struct MHD_Response *response_new(struct reply *rep, bool truncate)
{
	size_t len = rep->body ? strlen(rep->body) : 0;
	struct truncated *t;
	struct MHD_Response *response;

	if (!truncate || len < 2)
		return MHD_create_response_from_buffer(len, rep->body,
						       MHD_RESPMEM_MUST_FREE);
	t = malloc(sizeof(*t));
	if (!t)
		return NULL;
	t->body = rep->body;
	t->half = len / 2;
	response = MHD_create_response_from_callback(len, 4096, truncated_read,
						     t, truncated_free);
	if (!response)
		free(t);
	return response;
}

static enum MHD_Result queue(struct request *req, struct reply *rep,
			     bool truncate)
{
	struct MHD_Response *response = response_new(rep, truncate);
	enum MHD_Result result;

	if (!response) {
		free(rep->body);
		return MHD_NO;
	}
	rep->body = NULL; /* owned by the response now */
	MHD_add_response_header(response, "ININ-Correlation-Id",
				req->correlation_id);
	MHD_add_response_header(response, MHD_HTTP_HEADER_CONTENT_TYPE,
				"application/json");
	if (rep->status == 429 || rep->status == 503)
		MHD_add_response_header(response, MHD_HTTP_HEADER_RETRY_AFTER,
					rep->retry_after[0] ? rep->retry_after
							    : "1");
	result = MHD_queue_response(req->connection, rep->status, response);
	MHD_destroy_response(response);
	return result;
}

static enum MHD_Result add_arg(void *cls, enum MHD_ValueKind kind,
			       const char *key, const char *value)
{
	char **path = cls;
	char *longer = text_printf("%s%c%s%s%s", *path,
				   strchr(*path, '?') ? '&' : '?', key,
				   value ? "=" : "", value ? value : "");

	(void)kind;
	if (longer) {
		free(*path);
		*path = longer;
	}
	return MHD_YES;
}

/* Logs the request with its (decoded) query; status 0 when dropped. */
static void log_request(struct request *req, unsigned int status,
			double started)
{
	char *path = strdup(req->url);

	if (path)
		MHD_get_connection_values(req->connection,
					  MHD_GET_ARGUMENT_KIND, add_arg,
					  &path);
	stats_log(req->srv, req->method, path ? path : req->url, (int)status);
	if (req->srv->cfg.verbose)
		fprintf(stderr, "trunksim: %s %s %u %.1f ms\n", req->method,
			path ? path : req->url, status,
			clock_mono_ms_exact() - started);
	free(path);
}

static enum MHD_Result answer(struct request *req)
{
	struct reply rep = {0};
	bool truncate = false;
	double started = clock_mono_ms_exact();

	uuid_random(req->correlation_id);
	if (req->body)
		req->body[req->body_len] = '\0';
	if (admin_route(req, &rep))
		return queue(req, &rep, false);
	answer_api(req, &rep, &truncate);
	log_request(req, rep.drop ? 0 : rep.status, started);
	if (rep.drop) {
		free(rep.body);
		return MHD_NO;
	}
	return queue(req, &rep, truncate);
}

static void body_append(struct request *req, const char *data, size_t size)
{
	size_t cap = req->body_cap ? req->body_cap : 1024;
	char *grown;

	if (req->body_too_large || req->body_len + size > BODY_MAX) {
		req->body_too_large = true;
		return;
	}
	while (cap < req->body_len + size + 1)
		cap *= 2;
	if (cap != req->body_cap || !req->body) {
		grown = realloc(req->body, cap);
		if (!grown) {
			req->body_too_large = true;
			return;
		}
		req->body = grown;
		req->body_cap = cap;
	}
	memcpy(req->body + req->body_len, data, size);
	req->body_len += size;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *connection,
				  const char *url, const char *method,
				  const char *version, const char *upload_data,
				  size_t *upload_data_size, void **con_cls)
{
	struct request *req = *con_cls;

	(void)version;
	if (!req) {
		req = calloc(1, sizeof(*req));
		if (!req)
			return MHD_NO;
		req->srv = cls;
		req->connection = connection;
		req->method = method;
		req->url = url;
		*con_cls = req;
		return MHD_YES;
	}
	if (*upload_data_size) {
		body_append(req, upload_data, *upload_data_size);
		*upload_data_size = 0;
		return MHD_YES;
	}
	return answer(req);
}

static void on_completed(void *cls, struct MHD_Connection *connection,
			 void **con_cls, enum MHD_RequestTerminationCode code)
{
	struct request *req = *con_cls;

	(void)cls;
	(void)connection;
	(void)code;
	if (!req)
		return;
	free(req->body);
	free(req);
	*con_cls = NULL;
}

/*
 * Listens on 127.0.0.1 and the configured port (0: any free port), over
 * TLS (libmicrohttpd with GnuTLS) when a certificate and key are loaded.
 */
int server_start(struct server *srv)
{
	struct sockaddr_in address = {0};
	unsigned int flags = MHD_USE_THREAD_PER_CONNECTION |
			     MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_POLL;
	struct MHD_OptionItem tls[] = {
		{MHD_OPTION_HTTPS_MEM_CERT, 0, srv->cfg.tls_cert_pem},
		{MHD_OPTION_HTTPS_MEM_KEY, 0, srv->cfg.tls_key_pem},
		{MHD_OPTION_END, 0, NULL},
	};
	struct MHD_Daemon *daemon;
	const union MHD_DaemonInfo *info;

	if (srv->cfg.verbose)
		flags |= MHD_USE_ERROR_LOG;
	if (srv->cfg.tls_cert_pem) {
		if (MHD_is_feature_supported(MHD_FEATURE_TLS) != MHD_YES) {
			fprintf(stderr, "trunksim: error: this libmicrohttpd "
					"was built without TLS\n");
			return -1;
		}
		flags |= MHD_USE_TLS;
	} else {
		tls[0].option = MHD_OPTION_END;
	}
	address.sin_family = AF_INET;
	address.sin_port = htons((uint16_t)srv->cfg.port);
	address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	daemon = MHD_start_daemon(
		flags, (uint16_t)srv->cfg.port, NULL, NULL, on_request, srv,
		MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&address,
		MHD_OPTION_NOTIFY_COMPLETED, on_completed, srv,
		MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)120,
		MHD_OPTION_CONNECTION_LIMIT, (unsigned int)1000,
		MHD_OPTION_LISTEN_BACKLOG_SIZE, (unsigned int)1024,
		MHD_OPTION_THREAD_STACK_SIZE, (size_t)THREAD_STACK_SIZE,
		MHD_OPTION_ARRAY, tls, MHD_OPTION_END);
	if (!daemon) {
		fprintf(stderr,
			"trunksim: error: cannot listen on 127.0.0.1:%d%s\n",
			srv->cfg.port,
			srv->cfg.tls_cert_pem
				? " (or the TLS certificate or key is invalid)"
				: "");
		return -1;
	}
	info = MHD_get_daemon_info(daemon, MHD_DAEMON_INFO_BIND_PORT);
	srv->port = info ? info->port : srv->cfg.port;
	srv->daemon = daemon;
	return 0;
}

void server_stop(struct server *srv)
{
	atomic_store(&srv->stopping, true);
	if (srv->daemon)
		MHD_stop_daemon(srv->daemon);
	srv->daemon = NULL;
}
