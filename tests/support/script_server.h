#ifndef TRUNKCTL_TESTS_SCRIPT_SERVER_H
#define TRUNKCTL_TESTS_SCRIPT_SERVER_H

/*
 * A one-thread HTTP server on 127.0.0.1 for tests. It sends each
 * connection the next reply of its script, then closes it, and keeps
 * the requests. It stops after the last reply, or when no client
 * comes for 5 seconds.
 */

#include <pthread.h>

#define SCRIPT_SERVER_MAX_REPLIES 8

struct script_reply {
	int status;
	const char *headers;   /* extra header lines, each ending in CRLF */
	const char *body;      /* NULL for none */
};

struct script_server {
	int fd;
	int port;
	const struct script_reply *replies;
	int reply_count;
	int served;            /* read after script_server_stop() */
	char requests[SCRIPT_SERVER_MAX_REPLIES][4096];
	pthread_t thread;
};

/* Starts serving `count` replies, which stay borrowed until stop. */
int script_server_start(struct script_server *server,
			const struct script_reply *replies, int count);

/* Waits for the script to end and closes the socket. */
void script_server_stop(struct script_server *server);

#endif
