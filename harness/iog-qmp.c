// SPDX-License-Identifier: GPL-2.0-only
/*
 * iog-qmp: send one command to QEMU's QMP socket and wait for its reply
 * and, optionally, for an event.  launch.sh uses it to carry out the
 * hot-plug requests a guest suite writes into its KTAP output (teardown:
 * device_del, then device_add back), so it must never hang: every wait is
 * bounded by one deadline.
 *
 *	iog-qmp [-t SECONDS] [-w EVENT] SOCKET COMMAND [KEY=VALUE...]
 *
 * The KEY=VALUE pairs become the command's arguments, all as JSON
 * strings.  With -w the tool also waits for EVENT; when the arguments
 * have an id, only an EVENT whose data.device is that id counts (QEMU
 * sends DEVICE_DELETED once the guest has let go of the device).  The
 * conversation goes to stdout, one "> " or "< " line per message.
 *
 * Exit status: 0 reply (and event) received, 1 QMP returned an error,
 * 2 usage, connection or protocol error, or the deadline passed.
 */
#include <errno.h>
#include <libgen.h>
#include <poll.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#define QMP_LINE_MAX (64 * 1024)
#define QMP_STR_MAX 256
#define QMP_CMD_ID "iog-qmp-1"

static void usage(FILE *f)
{
	fprintf(f, "usage: iog-qmp [-t SECONDS] [-w EVENT] SOCKET COMMAND "
		   "[KEY=VALUE...]\n");
}

/* ---- deadline ---------------------------------------------------------- */

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static double deadline;

/* Milliseconds left before the deadline, 0 when it has passed. */
static int left_ms(void)
{
	double left = deadline - now_s();

	return left > 0 ? (int)(left * 1000) + 1 : 0;
}

/* ---- a minimal JSON reader: only what QMP's top-level messages need ---- */

struct jp {
	const char *s;
	size_t i;
};

static void jp_ws(struct jp *p)
{
	while (p->s[p->i] == ' ' || p->s[p->i] == '\t' || p->s[p->i] == '\r' ||
	       p->s[p->i] == '\n')
		p->i++;
}

static bool jp_eat(struct jp *p, char c)
{
	jp_ws(p);
	if (p->s[p->i] != c)
		return false;
	p->i++;
	return true;
}

/* A string into out (truncated, \uXXXX kept as '?'); 0 or -1. */
static int jp_string(struct jp *p, char *out, size_t size)
{
	size_t n = 0;

	if (!jp_eat(p, '"'))
		return -1;
	for (;;) {
		char c = p->s[p->i++];

		if (!c)
			return -1;
		if (c == '"')
			break;
		if (c == '\\') {
			c = p->s[p->i++];
			switch (c) {
			case 'n':
				c = '\n';
				break;
			case 't':
				c = '\t';
				break;
			case 'r':
				c = '\r';
				break;
			case 'b':
			case 'f':
				c = ' ';
				break;
			case 'u':
				for (int k = 0; k < 4; k++)
					if (!p->s[p->i++])
						return -1;
				c = '?';
				break;
			case '\0':
				return -1;
			default: /* " \ / */
				break;
			}
		}
		if (out && n + 1 < size)
			out[n++] = c;
	}
	if (out && size)
		out[n] = '\0';
	return 0;
}

static int jp_skip(struct jp *p, int depth);

/*
 * An object; for each member whose key is wanted[k], the value is
 * handed to fn(k, p) to parse, anything else is skipped.
 */
static int jp_object(struct jp *p, const char *const *wanted,
		     int (*fn)(int k, struct jp *p, void *data), void *data,
		     int depth)
{
	char key[QMP_STR_MAX];

	if (depth > 32 || !jp_eat(p, '{'))
		return -1;
	if (jp_eat(p, '}'))
		return 0;
	do {
		int k = -1;

		if (jp_string(p, key, sizeof(key)) || !jp_eat(p, ':'))
			return -1;
		for (int i = 0; wanted && wanted[i]; i++)
			if (!strcmp(key, wanted[i]))
				k = i;
		if (k >= 0 ? fn(k, p, data) : jp_skip(p, depth + 1))
			return -1;
	} while (jp_eat(p, ','));
	return jp_eat(p, '}') ? 0 : -1;
}

static int jp_skip(struct jp *p, int depth)
{
	jp_ws(p);
	switch (p->s[p->i]) {
	case '"':
		return jp_string(p, NULL, 0);
	case '{':
		return jp_object(p, NULL, NULL, NULL, depth);
	case '[':
		if (depth > 32)
			return -1;
		p->i++;
		if (jp_eat(p, ']'))
			return 0;
		do {
			if (jp_skip(p, depth + 1))
				return -1;
		} while (jp_eat(p, ','));
		return jp_eat(p, ']') ? 0 : -1;
	default:
		/* number, true, false, null */
		if (!strchr("-0123456789tfn", p->s[p->i]) || !p->s[p->i])
			return -1;
		while (p->s[p->i] && !strchr(",}] \t\r\n", p->s[p->i]))
			p->i++;
		return 0;
	}
}

/* What one QMP message says. */
struct qmp_msg {
	bool greeting; /* {"QMP": ...} */
	bool is_return; /* {"return": ...} */
	bool is_error; /* {"error": {...}} */
	char error[QMP_STR_MAX]; /* error.desc */
	char event[QMP_STR_MAX]; /* event name */
	char device[QMP_STR_MAX]; /* event data.device */
	char id[QMP_STR_MAX]; /* the command id a reply echoes */
};

static int on_error_member(int k, struct jp *p, void *data)
{
	struct qmp_msg *m = data;

	(void)k; /* only "desc" is wanted */
	return jp_string(p, m->error, sizeof(m->error));
}

static int on_data_member(int k, struct jp *p, void *data)
{
	struct qmp_msg *m = data;

	(void)k; /* only "device" is wanted; it may be absent or null */
	jp_ws(p);
	if (p->s[p->i] != '"')
		return jp_skip(p, 2);
	return jp_string(p, m->device, sizeof(m->device));
}

static const char *const top_keys[] = {"QMP",  "return", "error", "event",
				       "data", "id",	 NULL};

static int on_top_member(int k, struct jp *p, void *data)
{
	static const char *const error_keys[] = {"desc", NULL};
	static const char *const data_keys[] = {"device", NULL};
	struct qmp_msg *m = data;

	switch (k) {
	case 0:
		m->greeting = true;
		return jp_skip(p, 1);
	case 1:
		m->is_return = true;
		return jp_skip(p, 1);
	case 2:
		m->is_error = true;
		return jp_object(p, error_keys, on_error_member, m, 1);
	case 3:
		return jp_string(p, m->event, sizeof(m->event));
	case 4:
		jp_ws(p);
		if (p->s[p->i] != '{')
			return jp_skip(p, 1);
		return jp_object(p, data_keys, on_data_member, m, 1);
	default:
		jp_ws(p);
		if (p->s[p->i] != '"')
			return jp_skip(p, 1);
		return jp_string(p, m->id, sizeof(m->id));
	}
}

static int qmp_parse(const char *line, struct qmp_msg *m)
{
	struct jp p = {.s = line};

	memset(m, 0, sizeof(*m));
	if (jp_object(&p, top_keys, on_top_member, m, 0))
		return -1;
	jp_ws(&p);
	return p.s[p.i] ? -1 : 0;
}

/* ---- the connection ---------------------------------------------------- */

struct conn {
	int fd;
	char buf[QMP_LINE_MAX];
	size_t len;
};

/*
 * Connect to a unix socket.  sun_path holds 108 bytes; a longer path is
 * reached from its directory (results directories can be deep).
 */
static int conn_open(struct conn *c, const char *path)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	char *copy = NULL;
	const char *name = path;

	if (strlen(path) >= sizeof(sa.sun_path)) {
		char *dir;

		copy = strdup(path);
		if (!copy)
			return -1;
		dir = dirname(copy);
		if (chdir(dir)) {
			fprintf(stderr, "iog-qmp: %s: %s\n", dir,
				strerror(errno));
			free(copy);
			return -1;
		}
		name = strrchr(path, '/') + 1;
		if (strlen(name) >= sizeof(sa.sun_path)) {
			fprintf(stderr, "iog-qmp: socket name too long: %s\n",
				name);
			free(copy);
			return -1;
		}
	}
	memcpy(sa.sun_path, name, strlen(name) + 1);
	free(copy);
	c->len = 0;
	c->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (c->fd < 0 || connect(c->fd, (struct sockaddr *)&sa, sizeof(sa))) {
		fprintf(stderr, "iog-qmp: connect %s: %s\n", path,
			strerror(errno));
		return -1;
	}
	return 0;
}

static int conn_send(struct conn *c, const char *text)
{
	size_t n = strlen(text), off = 0;

	printf("> %s", text);
	fflush(stdout);
	while (off < n) {
		ssize_t w = send(c->fd, text + off, n - off, MSG_NOSIGNAL);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			fprintf(stderr, "iog-qmp: send: %s\n", strerror(errno));
			return -1;
		}
		off += (size_t)w;
	}
	return 0;
}

/*
 * The next message into line (NUL-terminated, without the line end).
 * 0, or -1 on a closed connection, an overlong line or the deadline.
 */
static int conn_recv(struct conn *c, char *line, size_t size)
{
	for (;;) {
		char *nl = memchr(c->buf, '\n', c->len);
		struct pollfd pfd = {.fd = c->fd, .events = POLLIN};
		ssize_t r;
		int ms;

		if (nl) {
			size_t n = (size_t)(nl - c->buf);

			if (n >= size)
				return -1;
			memcpy(line, c->buf, n);
			line[n] = '\0';
			if (n && line[n - 1] == '\r')
				line[n - 1] = '\0';
			c->len -= n + 1;
			memmove(c->buf, nl + 1, c->len);
			printf("< %s\n", line);
			fflush(stdout);
			return 0;
		}
		if (c->len == sizeof(c->buf)) {
			fprintf(stderr, "iog-qmp: message longer than %zu\n",
				sizeof(c->buf));
			return -1;
		}
		ms = left_ms();
		if (!ms) {
			fprintf(stderr, "iog-qmp: deadline passed\n");
			return -1;
		}
		r = poll(&pfd, 1, ms);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			continue; /* the deadline check above ends it */
		r = recv(c->fd, c->buf + c->len, sizeof(c->buf) - c->len, 0);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			fprintf(stderr, "iog-qmp: connection closed\n");
			return -1;
		}
		c->len += (size_t)r;
	}
}

/* ---- building the command ----------------------------------------------- */

struct sbuf {
	char s[8192];
	size_t len;
	bool full;
};

static void sb_add(struct sbuf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void sb_add(struct sbuf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(b->s + b->len, sizeof(b->s) - b->len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(b->s) - b->len)
		b->full = true;
	else
		b->len += (size_t)n;
}

/* A JSON string literal of s[0..n). */
static void sb_json_str(struct sbuf *b, const char *s, size_t n)
{
	sb_add(b, "\"");
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '"' || c == '\\')
			sb_add(b, "\\%c", c);
		else if (c < 0x20)
			sb_add(b, "\\u%04x", c);
		else
			sb_add(b, "%c", c);
	}
	sb_add(b, "\"");
}

int main(int argc, char **argv)
{
	const char *wait_event = NULL, *id = NULL;
	char line[QMP_LINE_MAX];
	double timeout = 10;
	struct conn *c;
	struct qmp_msg m;
	struct sbuf cmd = {0};
	bool replied = false, event_seen = false;
	int opt, ret = 2;

	while ((opt = getopt(argc, argv, "ht:w:")) != -1) {
		switch (opt) {
		case 't':
			timeout = strtod(optarg, NULL);
			if (timeout <= 0 || timeout > 3600) {
				fprintf(stderr,
					"iog-qmp: -t %s: want 0 < "
					"SECONDS <= 3600\n",
					optarg);
				return 2;
			}
			break;
		case 'w':
			wait_event = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (argc - optind < 2) {
		usage(stderr);
		return 2;
	}
	deadline = now_s() + timeout;

	sb_add(&cmd, "{\"execute\": ");
	sb_json_str(&cmd, argv[optind + 1], strlen(argv[optind + 1]));
	sb_add(&cmd, ", \"arguments\": {");
	for (int i = optind + 2; i < argc; i++) {
		const char *eq = strchr(argv[i], '=');

		if (!eq || eq == argv[i]) {
			fprintf(stderr, "iog-qmp: '%s': want KEY=VALUE\n",
				argv[i]);
			return 2;
		}
		if (!strncmp(argv[i], "id=", 3))
			id = eq + 1;
		sb_add(&cmd, "%s", i > optind + 2 ? ", " : "");
		sb_json_str(&cmd, argv[i], (size_t)(eq - argv[i]));
		sb_add(&cmd, ": ");
		sb_json_str(&cmd, eq + 1, strlen(eq + 1));
	}
	sb_add(&cmd, "}, \"id\": \"" QMP_CMD_ID "\"}\n");
	if (cmd.full) {
		fprintf(stderr, "iog-qmp: command too long\n");
		return 2;
	}

	c = calloc(1, sizeof(*c));
	if (c)
		c->fd = -1;
	if (!c || conn_open(c, argv[optind]))
		goto out;
	/* The greeting, then capabilities negotiation (command mode). */
	if (conn_recv(c, line, sizeof(line)) || qmp_parse(line, &m) ||
	    !m.greeting) {
		fprintf(stderr, "iog-qmp: no QMP greeting\n");
		goto out;
	}
	if (conn_send(c, "{\"execute\": \"qmp_capabilities\"}\n"))
		goto out;
	for (;;) {
		if (conn_recv(c, line, sizeof(line)))
			goto out;
		if (qmp_parse(line, &m))
			continue; /* not ours to understand */
		if (m.is_error) {
			fprintf(stderr, "iog-qmp: qmp_capabilities: %s\n",
				m.error);
			goto out;
		}
		if (m.is_return)
			break;
	}

	if (conn_send(c, cmd.s))
		goto out;
	while (!replied || (wait_event && !event_seen)) {
		if (conn_recv(c, line, sizeof(line)))
			goto out;
		if (qmp_parse(line, &m))
			continue;
		if (m.event[0]) {
			/* An event may overtake the reply; count it anyway. */
			if (wait_event && !strcmp(m.event, wait_event) &&
			    (!id || !strcmp(m.device, id)))
				event_seen = true;
			continue;
		}
		if (strcmp(m.id, QMP_CMD_ID))
			continue;
		if (m.is_error) {
			fprintf(stderr, "iog-qmp: %s: %s\n", argv[optind + 1],
				m.error);
			ret = 1;
			goto out;
		}
		replied = m.is_return;
	}
	ret = 0;
out:
	if (c && c->fd >= 0)
		close(c->fd);
	free(c);
	return ret;
}
