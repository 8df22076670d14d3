/* The HTTP library's own ceiling for `make bench`: libmicrohttpd started
 * with the daemon flags and thread pool of Sanfu's server (src/http/server.c)
 * answering every request with the same bytes (a file read at start, the
 * size of one order's JSON) and nothing else: no routing, no session, no
 * database. What it reaches is as fast as any Sanfu answer can be on this
 * machine with this library.
 *
 *   mhd-static FILE PORT THREADS
 *
 * Runs until SIGTERM or SIGINT. Built by bench/run.sh; not part of sanfu. */
#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static struct MHD_Response *answer;

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
				  const char *method, const char *version, const char *upload,
				  size_t *upload_size, void **state)
{
	static int seen;

	(void)cls;
	(void)url;
	(void)method;
	(void)version;
	(void)upload;
	/* As Sanfu's server does: the first call only notes the request (an
	 * answer queued then would make libmicrohttpd close the connection),
	 * the answer goes with the call after the body. */
	if (!*state) {
		*state = &seen;
		return MHD_YES;
	}
	if (*upload_size) {
		*upload_size = 0;
		return MHD_YES;
	}
	return MHD_queue_response(conn, MHD_HTTP_OK, answer);
}

static char *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *data = NULL;
	long n;

	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0) {
		data = malloc((size_t)n + 1);
		if (data && fread(data, 1, (size_t)n, f) != (size_t)n) {
			free(data);
			data = NULL;
		}
		*len = (size_t)n;
	}
	fclose(f);
	return data;
}

int main(int argc, char **argv)
{
	struct MHD_Daemon *d;
	struct sockaddr_in sa = { .sin_family = AF_INET };
	sigset_t set;
	size_t len = 0;
	char *body;
	long port, threads;
	int sig;

	if (argc != 4) {
		fprintf(stderr, "usage: mhd-static FILE PORT THREADS\n");
		return 2;
	}
	port = strtol(argv[2], NULL, 10);
	threads = strtol(argv[3], NULL, 10);
	if (port <= 0 || port > 65535 || threads <= 0 || threads > 256) {
		fprintf(stderr, "mhd-static: bad port or thread count\n");
		return 2;
	}
	body = read_file(argv[1], &len);
	if (!body) {
		fprintf(stderr, "mhd-static: cannot read %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	answer = MHD_create_response_from_buffer(len, body, MHD_RESPMEM_PERSISTENT);
	if (!answer ||
	    MHD_add_response_header(answer, "Content-Type", "application/json") != MHD_YES)
		return 1;
	/* Signals are taken by sigwait below, not by the daemon's threads. */
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	sa.sin_port = htons((uint16_t)port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_TURBO |
				     MHD_USE_ITC | MHD_ALLOW_SUSPEND_RESUME,
			     0, NULL, NULL, on_request, NULL, MHD_OPTION_SOCK_ADDR,
			     (struct sockaddr *)&sa, MHD_OPTION_THREAD_POOL_SIZE, (unsigned)threads,
			     MHD_OPTION_CONNECTION_LIMIT, 4096u, MHD_OPTION_CONNECTION_MEMORY_LIMIT,
			     (size_t)64 * 1024, MHD_OPTION_LISTEN_BACKLOG_SIZE, 1024u,
			     MHD_OPTION_END);
	if (!d) {
		fprintf(stderr, "mhd-static: cannot listen on port %ld\n", port);
		return 1;
	}
	sigwait(&set, &sig);
	MHD_stop_daemon(d);
	MHD_destroy_response(answer);
	free(body);
	return 0;
}
