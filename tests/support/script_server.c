/* The scripted test server of script_server.h. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "tests/support/script_server.h"

static void read_request(int fd, char *out, size_t max)
{
	size_t len = 0, need = 0;
	const char *end, *length;
	ssize_t n;

	while (len + 1 < max) {
		struct pollfd p = { fd, POLLIN, 0 };

		if (poll(&p, 1, 5000) <= 0)
			break;
		n = read(fd, out + len, max - 1 - len);
		if (n <= 0)
			break;
		len += (size_t)n;
		out[len] = '\0';
		end = strstr(out, "\r\n\r\n");
		if (!end)
			continue;
		length = strstr(out, "Content-Length:");
		need = (size_t)(end + 4 - out) +
		       (length ? strtoul(length + 15, NULL, 10) : 0);
		if (len >= need)
			break;
	}
	out[len] = '\0';
}

static void write_all(int fd, const char *data, size_t length)
{
	ssize_t n;

	while (length > 0 && (n = write(fd, data, length)) > 0) {
		data += n;
		length -= (size_t)n;
	}
}

static void *serve(void *arg)
{
	struct script_server *s = arg;
	const struct script_reply *reply;
	char head[1024];
	size_t body_length;
	int client;

	while (s->served < s->reply_count) {
		struct pollfd p = { s->fd, POLLIN, 0 };

		if (poll(&p, 1, 5000) <= 0)
			break;
		client = accept(s->fd, NULL, NULL);
		if (client < 0)
			break;
		read_request(client, s->requests[s->served], 4096);
		reply = &s->replies[s->served++];
		body_length = reply->body ? strlen(reply->body) : 0;
		snprintf(head, sizeof(head),
			 "HTTP/1.1 %d Scripted\r\nContent-Length: %zu\r\n"
			 "%sConnection: close\r\n\r\n", reply->status,
			 body_length, reply->headers ? reply->headers : "");
		write_all(client, head, strlen(head));
		write_all(client, reply->body ? reply->body : "", body_length);
		close(client);
	}
	return NULL;
}

int script_server_start(struct script_server *s,
			const struct script_reply *replies, int count)
{
	struct sockaddr_in addr = { 0 };
	socklen_t len = sizeof(addr);

	memset(s, 0, sizeof(*s));
	if (count > SCRIPT_SERVER_MAX_REPLIES)
		return -1;
	s->replies = replies;
	s->reply_count = count;
	s->fd = socket(AF_INET, SOCK_STREAM, 0);
	if (s->fd < 0)
		return -1;
	addr.sin_family = AF_INET;
	addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(s->fd, (struct sockaddr *)&addr, sizeof(addr)) != 0 ||
	    listen(s->fd, 8) != 0 ||
	    getsockname(s->fd, (struct sockaddr *)&addr, &len) != 0 ||
	    pthread_create(&s->thread, NULL, serve, s) != 0) {
		close(s->fd);
		return -1;
	}
	s->port = ntohs(addr.sin_port);
	return 0;
}

void script_server_stop(struct script_server *s)
{
	pthread_join(s->thread, NULL);
	close(s->fd);
}
