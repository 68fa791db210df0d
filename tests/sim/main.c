/*
 * trunksim main: options, start-up, and a clean stop on SIGINT or
 * SIGTERM (the final state is written with --dump).
 */

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/sim/trunksim.h"

static const char usage[] =
	"usage: trunksim [OPTION]...\n"
	"Simulates the trunk API on 127.0.0.1 for tests and benchmarks.\n"
	"\n"
	"  --port N                 TCP port (default 0: any free port)\n"
	"  --port-file FILE         write the port to FILE once listening\n"
	"  --dump FILE              write the final state to FILE on exit\n"
	"  -v, --verbose            log one line per request to stderr\n"
	"  --client-id ID           OAuth client id (default trunksim-client)\n"
	"  --client-secret SECRET   OAuth client secret "
	"(default trunksim-secret)\n"
	"  --token-ttl SECONDS      token lifetime (default 86400)\n"
	"  --seed FILE              initial state: {\"edges\": [...]}\n"
	"  --edges N                generate N edges (edge-0001...)\n"
	"  --trunks-per-edge M      generate M trunks per edge "
	"(trunk-0001...)\n"
	"  --random-seed S          seed of ids and random faults (default 1)\n"
	"  --max-trunks N           default trunk limit per edge (default 50)\n"
	"  --activation-delay-ms MS PENDING -> ENABLED delay (default 500)\n"
	"  --fail-endpoints CIDR    activation fails when the first SIP\n"
	"                           endpoint is in this IPv4 range "
	"(repeatable)\n"
	"  --invite-response CODE   SIP INVITE test answer of healthy trunks\n"
	"                           (default 200)\n"
	"  --max-page-size N        page size the server uses at most\n"
	"                           (default 100)\n"
	"  --latency-ms MS          delay added to every API answer\n"
	"  --latency-jitter-ms MS   random extra delay, 0 to MS\n"
	"  --rate-limit N           API requests a minute per token; past it\n"
	"                           429 (default 0: no limit)\n"
	"  --fail-rate P            share of API requests answered 503 (0-1)\n"
	"  --drop-rate P            share of API requests whose connection\n"
	"                           is closed without an answer (0-1)\n"
	"  --tls-cert FILE          serve HTTPS with this PEM certificate\n"
	"  --tls-key FILE           and this PEM private key\n"
	"  -h, --help               show this help\n";

enum {
	OPT_PORT = 256,
	OPT_PORT_FILE,
	OPT_DUMP,
	OPT_CLIENT_ID,
	OPT_CLIENT_SECRET,
	OPT_TOKEN_TTL,
	OPT_SEED,
	OPT_EDGES,
	OPT_TRUNKS_PER_EDGE,
	OPT_RANDOM_SEED,
	OPT_MAX_TRUNKS,
	OPT_ACTIVATION_DELAY,
	OPT_FAIL_ENDPOINTS,
	OPT_INVITE_RESPONSE,
	OPT_MAX_PAGE_SIZE,
	OPT_LATENCY,
	OPT_JITTER,
	OPT_RATE_LIMIT,
	OPT_FAIL_RATE,
	OPT_DROP_RATE,
	OPT_TLS_CERT,
	OPT_TLS_KEY,
};

static const struct option options[] = {
	{"port", required_argument, NULL, OPT_PORT},
	{"port-file", required_argument, NULL, OPT_PORT_FILE},
	{"dump", required_argument, NULL, OPT_DUMP},
	{"verbose", no_argument, NULL, 'v'},
	{"help", no_argument, NULL, 'h'},
	{"client-id", required_argument, NULL, OPT_CLIENT_ID},
	{"client-secret", required_argument, NULL, OPT_CLIENT_SECRET},
	{"token-ttl", required_argument, NULL, OPT_TOKEN_TTL},
	{"seed", required_argument, NULL, OPT_SEED},
	{"edges", required_argument, NULL, OPT_EDGES},
	{"trunks-per-edge", required_argument, NULL, OPT_TRUNKS_PER_EDGE},
	{"random-seed", required_argument, NULL, OPT_RANDOM_SEED},
	{"max-trunks", required_argument, NULL, OPT_MAX_TRUNKS},
	{"activation-delay-ms", required_argument, NULL, OPT_ACTIVATION_DELAY},
	{"fail-endpoints", required_argument, NULL, OPT_FAIL_ENDPOINTS},
	{"invite-response", required_argument, NULL, OPT_INVITE_RESPONSE},
	{"max-page-size", required_argument, NULL, OPT_MAX_PAGE_SIZE},
	{"latency-ms", required_argument, NULL, OPT_LATENCY},
	{"latency-jitter-ms", required_argument, NULL, OPT_JITTER},
	{"rate-limit", required_argument, NULL, OPT_RATE_LIMIT},
	{"fail-rate", required_argument, NULL, OPT_FAIL_RATE},
	{"drop-rate", required_argument, NULL, OPT_DROP_RATE},
	{"tls-cert", required_argument, NULL, OPT_TLS_CERT},
	{"tls-key", required_argument, NULL, OPT_TLS_KEY},
	{NULL, 0, NULL, 0},
};

static void config_defaults(struct config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->client_id = "trunksim-client";
	cfg->client_secret = "trunksim-secret";
	cfg->token_ttl = 86400;
	cfg->random_seed = 1;
	cfg->max_trunks = 50;
	cfg->activation_delay_ms = 500;
	cfg->invite_response = 200;
}

static int bad_value(const char *option, const char *value,
		     const char *expected)
{
	fprintf(stderr, "trunksim: error: invalid value '%s' for --%s: "
			"expected %s\n",
		value, option, expected);
	return -1;
}

static int parse_rate(const char *option, const char *value, double *out)
{
	char *end;
	double rate = strtod(value, &end);

	if (*value == '\0' || *end || !(rate >= 0.0 && rate <= 1.0))
		return bad_value(option, value, "a number from 0 to 1");
	*out = rate;
	return 0;
}

static int add_cidr(struct config *cfg, const char *value)
{
	struct cidr *grown = realloc(cfg->fail_cidrs,
				     (cfg->fail_cidr_count + 1) *
					     sizeof(*grown));

	if (!grown)
		return -1;
	cfg->fail_cidrs = grown;
	if (cidr_parse(value, &cfg->fail_cidrs[cfg->fail_cidr_count]) < 0)
		return bad_value("fail-endpoints", value,
				 "an IPv4 range such as 203.0.113.0/24");
	cfg->fail_cidr_count++;
	return 0;
}

struct number_option {
	int id;
	const char *name;
	long min;
	long max;
};

static const struct number_option number_options[] = {
	{OPT_PORT, "port", 0, 65535},
	{OPT_TOKEN_TTL, "token-ttl", 1, 100L * 365 * 86400},
	{OPT_EDGES, "edges", 0, 100000},
	{OPT_TRUNKS_PER_EDGE, "trunks-per-edge", 0, 100000},
	{OPT_RANDOM_SEED, "random-seed", 0, 0x7fffffffL},
	{OPT_MAX_TRUNKS, "max-trunks", 0, 1000000},
	{OPT_ACTIVATION_DELAY, "activation-delay-ms", 0, 3600000},
	{OPT_INVITE_RESPONSE, "invite-response", 100, 699},
	{OPT_MAX_PAGE_SIZE, "max-page-size", 1, PAGE_SIZE_MAX},
	{OPT_LATENCY, "latency-ms", 0, 600000},
	{OPT_JITTER, "latency-jitter-ms", 0, 600000},
	{OPT_RATE_LIMIT, "rate-limit", 0, 1000000},
};

static void number_store(struct config *cfg, int id, long value)
{
	switch (id) {
	case OPT_PORT: cfg->port = (int)value; break;
	case OPT_TOKEN_TTL: cfg->token_ttl = value; break;
	case OPT_EDGES: cfg->edges = (int)value; break;
	case OPT_TRUNKS_PER_EDGE: cfg->trunks_per_edge = (int)value; break;
	case OPT_RANDOM_SEED: cfg->random_seed = (uint64_t)value; break;
	case OPT_MAX_TRUNKS: cfg->max_trunks = (int)value; break;
	case OPT_ACTIVATION_DELAY: cfg->activation_delay_ms = value; break;
	case OPT_INVITE_RESPONSE: cfg->invite_response = (int)value; break;
	case OPT_MAX_PAGE_SIZE: cfg->max_page_size = (int)value; break;
	case OPT_LATENCY: cfg->latency_ms = value; break;
	case OPT_JITTER: cfg->latency_jitter_ms = value; break;
	case OPT_RATE_LIMIT: cfg->rate_limit = value; break;
	}
}

/* Returns 1 when `id` is a numeric option (0 once stored, -1 invalid). */
static int number_option(struct config *cfg, int id, const char *value)
{
	char expected[64];
	long number;

	for (size_t i = 0;
	     i < sizeof(number_options) / sizeof(number_options[0]); i++) {
		const struct number_option *o = &number_options[i];

		if (o->id != id)
			continue;
		if (!parse_long(value, o->min, o->max, &number)) {
			snprintf(expected, sizeof(expected),
				 "a whole number from %ld to %ld", o->min,
				 o->max);
			return bad_value(o->name, value, expected);
		}
		number_store(cfg, id, number);
		return 0;
	}
	return 1;
}

static int option_apply(struct config *cfg, int id, const char *value)
{
	int rc = number_option(cfg, id, value);

	if (rc <= 0)
		return rc;
	switch (id) {
	case OPT_PORT_FILE: cfg->port_file = value; return 0;
	case OPT_DUMP: cfg->dump_file = value; return 0;
	case OPT_CLIENT_ID: cfg->client_id = value; return 0;
	case OPT_CLIENT_SECRET: cfg->client_secret = value; return 0;
	case OPT_SEED: cfg->seed_file = value; return 0;
	case OPT_FAIL_ENDPOINTS: return add_cidr(cfg, value);
	case OPT_FAIL_RATE: return parse_rate("fail-rate", value,
					       &cfg->fail_rate);
	case OPT_DROP_RATE: return parse_rate("drop-rate", value,
					       &cfg->drop_rate);
	case OPT_TLS_CERT: cfg->tls_cert = value; return 0;
	case OPT_TLS_KEY: cfg->tls_key = value; return 0;
	case 'v': cfg->verbose++; return 0;
	default: return -1;
	}
}

/* Returns 0, 1 after --help, or -1 on an invalid option. */
static int options_parse(struct config *cfg, int argc, char **argv)
{
	int id;

	while ((id = getopt_long(argc, argv, "vh", options, NULL)) != -1) {
		if (id == 'h') {
			fputs(usage, stdout);
			return 1;
		}
		if (id == '?' || option_apply(cfg, id, optarg) < 0) {
			fprintf(stderr, "Try 'trunksim --help'.\n");
			return -1;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "trunksim: error: unexpected argument '%s'\n",
			argv[optind]);
		return -1;
	}
	if (cfg->seed_file && cfg->edges > 0) {
		fprintf(stderr, "trunksim: error: --seed and --edges "
				"cannot be combined\n");
		return -1;
	}
	if (!cfg->tls_cert != !cfg->tls_key) {
		fprintf(stderr, "trunksim: error: --tls-cert and --tls-key "
				"go together\n");
		return -1;
	}
	return 0;
}

/* Reads the PEM files of --tls-cert and --tls-key. */
static int tls_load(struct config *cfg)
{
	const char *paths[2] = { cfg->tls_cert, cfg->tls_key };
	char **texts[2] = { &cfg->tls_cert_pem, &cfg->tls_key_pem };

	for (int i = 0; i < 2 && paths[i]; i++) {
		*texts[i] = file_read(paths[i]);
		if (!*texts[i]) {
			fprintf(stderr, "trunksim: error: cannot read '%s': "
					"%s\n",
				paths[i], errno ? strerror(errno)
						: "file too large");
			return -1;
		}
	}
	return 0;
}

static int port_file_write(const char *path, int port)
{
	char *tmp = text_printf("%s.tmp", path);
	FILE *file = tmp ? fopen(tmp, "w") : NULL;
	int rc = -1;

	if (!file)
		goto done;
	fprintf(file, "%d\n", port);
	if (fclose(file) == 0 && rename(tmp, path) == 0)
		rc = 0;
done:
	if (rc < 0)
		fprintf(stderr, "trunksim: error: cannot write port file "
				"'%s'\n",
			path);
	free(tmp);
	return rc;
}

static int state_load(struct server *srv)
{
	int rc = 0;

	if (srv->cfg.seed_file)
		rc = seed_load(srv, srv->cfg.seed_file);
	else if (srv->cfg.edges > 0)
		rc = seed_generate(srv);
	if (rc == 0 && store_index(&srv->store) < 0)
		rc = -1;
	return rc;
}

static void server_release(struct server *srv)
{
	store_release(&srv->store);
	faults_release(&srv->faults);
	stats_release(&srv->stats);
	tokens_release(&srv->tokens);
	random_release(&srv->random);
	free(srv->cfg.fail_cidrs);
	free(srv->cfg.tls_cert_pem);
	free(srv->cfg.tls_key_pem);
}

/* Serves until SIGINT or SIGTERM; returns the exit status. */
static int serve(struct server *srv, sigset_t *signals)
{
	int signal_number = 0;

	if (server_start(srv) < 0)
		return 1;
	if (srv->cfg.port_file &&
	    port_file_write(srv->cfg.port_file, srv->port) < 0) {
		server_stop(srv);
		return 1;
	}
	fprintf(stderr, "trunksim: listening on %s://127.0.0.1:%d\n",
		srv->cfg.tls_cert_pem ? "https" : "http", srv->port);
	sigwait(signals, &signal_number);
	server_stop(srv);
	fprintf(stderr, "trunksim: stopped by signal %d\n", signal_number);
	if (srv->cfg.dump_file && store_dump_file(srv, srv->cfg.dump_file) < 0)
		return 1;
	return 0;
}

int main(int argc, char **argv)
{
	static struct server srv;
	sigset_t signals;
	int rc;

	config_defaults(&srv.cfg);
	rc = options_parse(&srv.cfg, argc, argv);
	if (rc != 0) {
		free(srv.cfg.fail_cidrs);
		return rc > 0 ? 0 : 2;
	}
	srv.started = clock_mono_ms_exact();
	store_init(&srv.store);
	faults_init(&srv.faults);
	stats_init(&srv.stats);
	tokens_init(&srv.tokens);
	random_init(&srv.random, srv.cfg.random_seed);
	rc = 1;
	if (tls_load(&srv.cfg) == 0 && state_load(&srv) == 0) {
		/* Blocked before any thread starts, so all inherit it. */
		sigemptyset(&signals);
		sigaddset(&signals, SIGINT);
		sigaddset(&signals, SIGTERM);
		pthread_sigmask(SIG_BLOCK, &signals, NULL);
		signal(SIGPIPE, SIG_IGN);
		rc = serve(&srv, &signals);
	}
	server_release(&srv);
	return rc;
}
