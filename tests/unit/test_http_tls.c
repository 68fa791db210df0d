/*
 * TLS verification of the transport against `openssl s_server` on
 * 127.0.0.1 with a self-signed certificate made for the test: trusted
 * through --cacert it is accepted, and without it the request fails.
 */

#include <arpa/inet.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>
#include <curl/curl.h>

#include "http/internal.h"
#include "model/error.h"

struct tls_server {
	char dir[64];
	char cert[128];
	char key[128];
	int port;
	pid_t pid;
};

/* Returns a port that was free a moment ago on 127.0.0.1. */
static int free_port(void)
{
	struct sockaddr_in addr = { .sin_family = AF_INET };
	socklen_t len = sizeof(addr);
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	assert_true(fd >= 0);
	addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)&addr, sizeof(addr)), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&addr, &len), 0);
	close(fd);
	return ntohs(addr.sin_port);
}

static bool port_open(int port)
{
	struct sockaddr_in addr = { .sin_family = AF_INET };
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	bool open;

	addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	addr.sin_port = htons((uint16_t)port);
	open = connect(fd, (struct sockaddr *)&addr, sizeof(addr)) == 0;
	close(fd);
	return open;
}

static void make_certificate(struct tls_server *server)
{
	char command[1024];

	snprintf(command, sizeof(command),
		 "openssl req -x509 -newkey rsa:2048 -nodes -days 1 "
		 "-subj /CN=localhost -addext "
		 "subjectAltName=IP:127.0.0.1,DNS:localhost "
		 "-keyout %s -out %s >/dev/null 2>&1",
		 server->key, server->cert);
	assert_int_equal(system(command), 0);
}

static int setup(void **state)
{
	struct tls_server *server = calloc(1, sizeof(*server));
	char accept[64];
	int i;

	assert_non_null(server);
	snprintf(server->dir, sizeof(server->dir), "/tmp/trunkctl-tls-XXXXXX");
	assert_non_null(mkdtemp(server->dir));
	snprintf(server->cert, sizeof(server->cert), "%s/cert.pem",
		 server->dir);
	snprintf(server->key, sizeof(server->key), "%s/key.pem", server->dir);
	make_certificate(server);

	server->port = free_port();
	snprintf(accept, sizeof(accept), "127.0.0.1:%d", server->port);
	server->pid = fork();
	assert_true(server->pid >= 0);
	if (server->pid == 0) {
		execlp("openssl", "openssl", "s_server", "-quiet", "-www",
		       "-accept", accept, "-cert", server->cert, "-key",
		       server->key, (char *)NULL);
		_exit(127);
	}
	for (i = 0; i < 500 && !port_open(server->port); i++)
		usleep(10000);
	assert_true(port_open(server->port));
	*state = server;
	return 0;
}

static int teardown(void **state)
{
	struct tls_server *server = *state;
	char command[128];

	kill(server->pid, SIGTERM);
	waitpid(server->pid, NULL, 0);
	snprintf(command, sizeof(command), "rm -rf %s", server->dir);
	assert_int_equal(system(command), 0);
	free(server);
	return 0;
}

/* Sends GET / over TLS; returns the transport's code. */
static int fetch(struct tls_server *server, const char *cacert,
		 struct http_response *response,
		 struct transport_failure *failure)
{
	struct transport_request request = { .method = "GET" };
	struct http_transport *transport = NULL;
	struct http_config config;
	char url[64];
	int rc;

	http_config_init(&config);
	config.cacert = (char *)cacert;
	config.request_timeout_ms = 5000;
	snprintf(url, sizeof(url), "https://127.0.0.1:%d/", server->port);
	request.url = url;
	assert_int_equal(http_transport_new(&config, "trunkctl/test",
					    &transport), 0);
	memset(response, 0, sizeof(*response));
	rc = http_transport_perform(transport, &request, response, failure);
	http_transport_free(transport);
	return rc;
}

static void trusted_with_cacert(void **state)
{
	struct tls_server *server = *state;
	struct transport_failure failure;
	struct http_response response;

	assert_int_equal(fetch(server, server->cert, &response, &failure), 0);
	assert_int_equal(response.status, 200);
	http_response_release(&response);
}

static void untrusted_without_cacert(void **state)
{
	struct tls_server *server = *state;
	struct transport_failure failure;
	struct http_response response;

	assert_int_equal(fetch(server, NULL, &response, &failure),
			 TRUNKCTL_EIO);
	assert_int_equal(response.status, 0);
	assert_false(failure.request_sent);
	assert_non_null(strstr(failure.message, "certificate"));
	http_response_release(&response);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(trusted_with_cacert, setup,
						teardown),
		cmocka_unit_test_setup_teardown(untrusted_without_cacert, setup,
						teardown),
	};
	int failed;

	curl_global_init(CURL_GLOBAL_DEFAULT);
	failed = cmocka_run_group_tests(tests, NULL, NULL);
	curl_global_cleanup();
	return failed;
}
