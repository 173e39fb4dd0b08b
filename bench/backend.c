/* backend.c — the trivial, fast backend behind every proxy in bench/run.
 *
 * One thread, one epoll set, edge-triggered, any number of listeners:
 *
 *   backend MODE:PORT [MODE:PORT ...]
 *
 *   echo:PORT     "* OK bench ready" greeting, then echoes every byte
 *   sink:PORT     greeting, answers the client's first line(s) ("a OK", "b OK"
 *                 for the LOGIN + ID preamble bench/loadgen sends), then
 *                 discards everything
 *   source:PORT   greeting, answers the first line(s) like sink, then streams
 *                 bytes as fast as the peer reads them
 *   smtp:PORT     220 greeting; 250 to EHLO/HELO (multi-line for EHLO), 221 to
 *                 QUIT then close, 250 to anything else
 *   auth:PORT:SMTPPORT  nginx mail auth_http responder: reads one HTTP
 *                 request, answers "Auth-Status: OK" pointing at
 *                 127.0.0.1:SMTPPORT, closes
 *
 * Loopback only: every listener binds 127.0.0.1. Prints "ready" on stdout once
 * all listeners are bound.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

enum mode { ECHO, SINK, SOURCE, SMTP, AUTH };

struct listener {
    enum mode mode;
    int fd;
    int smtp_port; /* AUTH only */
};

/* Per-connection state. Replies are small; only echo and source ever meet a
 * full socket buffer, and they keep what is unsent in `out`. */
struct conn {
    int fd;
    struct listener *listener;
    int is_listener;
    int answered;      /* sink/source: preamble answered */
    int closing;       /* smtp: close once `out` is flushed */
    char line[1024];   /* smtp/auth/preamble: partial input line */
    size_t line_len;
    char *out;
    size_t out_len, out_cap;
};

static int epfd;
static char source_chunk[65536];

static void die(const char *what) {
    perror(what);
    exit(1);
}

static void conn_close(struct conn *c) {
    close(c->fd);
    free(c->out);
    free(c);
}

/* Writes what is queued plus `data`; keeps the rest. Returns -1 on a dead peer. */
static int send_bytes(struct conn *c, const char *data, size_t len) {
    if (len) {
        if (c->out_len + len > c->out_cap) {
            size_t cap = c->out_cap ? c->out_cap : 4096;
            while (cap < c->out_len + len) cap *= 2;
            c->out = realloc(c->out, cap);
            if (!c->out) die("realloc");
            c->out_cap = cap;
        }
        memcpy(c->out + c->out_len, data, len);
        c->out_len += len;
    }
    size_t off = 0;
    while (off < c->out_len) {
        ssize_t n = send(c->fd, c->out + off, c->out_len - off, MSG_NOSIGNAL);
        if (n > 0) { off += (size_t)n; continue; }
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
        return -1;
    }
    memmove(c->out, c->out + off, c->out_len - off);
    c->out_len -= off;
    return 0;
}

static int send_str(struct conn *c, const char *s) { return send_bytes(c, s, strlen(s)); }

/* Source: keep the socket buffer full. */
static int pump_source(struct conn *c) {
    if (send_bytes(c, NULL, 0) < 0) return -1;
    while (c->out_len == 0) {
        ssize_t n = send(c->fd, source_chunk, sizeof source_chunk, MSG_NOSIGNAL);
        if (n > 0) continue;
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return 0;
        return -1;
    }
    return 0;
}

static int smtp_line(struct conn *c, const char *line) {
    if (!strncasecmp(line, "EHLO", 4)) return send_str(c, "250-bench.local\r\n250-PIPELINING\r\n250 8BITMIME\r\n");
    if (!strncasecmp(line, "HELO", 4)) return send_str(c, "250 bench.local\r\n");
    if (!strncasecmp(line, "QUIT", 4)) {
        c->closing = 1;
        return send_str(c, "221 2.0.0 bye\r\n");
    }
    return send_str(c, "250 2.0.0 ok\r\n");
}

/* Splits input into lines for the line-oriented modes; returns -1 to close. */
static int feed_lines(struct conn *c, const char *buf, size_t len) {
    for (size_t i = 0; i < len; i++) {
        if (c->line_len < sizeof c->line - 1) c->line[c->line_len++] = buf[i];
        if (buf[i] != '\n') continue;
        c->line[c->line_len] = 0;
        c->line_len = 0;
        if (c->listener->mode == SMTP) {
            if (smtp_line(c, c->line) < 0) return -1;
        } else if (c->listener->mode == AUTH) {
            if (strcmp(c->line, "\r\n") == 0) {
                char reply[256];
                snprintf(reply, sizeof reply,
                         "HTTP/1.0 200 OK\r\nAuth-Status: OK\r\nAuth-Server: 127.0.0.1\r\nAuth-Port: %d\r\n\r\n",
                         c->listener->smtp_port);
                if (send_str(c, reply) < 0) return -1;
                c->closing = 1;
            }
        } else if (!c->answered) {
            /* bench/loadgen's bulk preamble is "a LOGIN …" then "b ID NIL". */
            if (c->line[0] == 'b') {
                c->answered = 1;
                if (send_str(c, "a OK LOGIN done\r\nb OK ID done\r\n") < 0) return -1;
                if (c->listener->mode == SOURCE) return pump_source(c);
                return 0;
            }
        }
    }
    return 0;
}

static void on_readable(struct conn *c) {
    char buf[65536];
    for (;;) {
        ssize_t n = recv(c->fd, buf, sizeof buf, 0);
        if (n == 0) { conn_close(c); return; }
        if (n < 0) {
            if (errno == EINTR) continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK) break;
            conn_close(c);
            return;
        }
        int rc = 0;
        switch (c->listener->mode) {
        case ECHO: rc = send_bytes(c, buf, (size_t)n); break;
        case SINK:
        case SOURCE: rc = c->answered ? 0 : feed_lines(c, buf, (size_t)n); break;
        case SMTP:
        case AUTH: rc = feed_lines(c, buf, (size_t)n); break;
        }
        if (rc < 0) { conn_close(c); return; }
    }
    if (c->closing && c->out_len == 0) conn_close(c);
}

/* Returns 1 when the connection was closed (and freed). */
static int on_writable(struct conn *c) {
    int rc = (c->listener->mode == SOURCE && c->answered) ? pump_source(c) : send_bytes(c, NULL, 0);
    if (rc < 0 || (c->closing && c->out_len == 0)) {
        conn_close(c);
        return 1;
    }
    return 0;
}

static void on_accept(struct conn *lc) {
    for (;;) {
        int fd = accept4(lc->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) {
            if (errno == EINTR || errno == ECONNABORTED) continue;
            return; /* EAGAIN, or EMFILE: the proxy sees a refused connect */
        }
        int one = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        struct conn *c = calloc(1, sizeof *c);
        if (!c) die("calloc");
        c->fd = fd;
        c->listener = lc->listener;
        struct epoll_event ev = {.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET, .data.ptr = c};
        if (epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev) < 0) die("epoll_ctl");
        int rc = 0;
        switch (c->listener->mode) {
        case ECHO:
        case SINK:
        case SOURCE: rc = send_str(c, "* OK bench ready\r\n"); break;
        case SMTP: rc = send_str(c, "220 bench.local ESMTP bench\r\n"); break;
        case AUTH: break;
        }
        if (rc < 0) conn_close(c);
    }
}

static struct conn *listen_on(struct listener *l, int port) {
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) die("socket");
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port),
                             .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    if (bind(fd, (struct sockaddr *)&sa, sizeof sa) < 0) die("bind");
    if (listen(fd, 4096) < 0) die("listen");
    struct conn *c = calloc(1, sizeof *c);
    if (!c) die("calloc");
    c->fd = fd;
    c->listener = l;
    c->is_listener = 1;
    struct epoll_event ev = {.events = EPOLLIN, .data.ptr = c};
    if (epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev) < 0) die("epoll_ctl");
    return c;
}

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: %s echo|sink|source|smtp:PORT | auth:PORT:SMTPPORT ...\n", argv[0]);
        return 2;
    }
    signal(SIGPIPE, SIG_IGN);
    memset(source_chunk, 'x', sizeof source_chunk);
    epfd = epoll_create1(EPOLL_CLOEXEC);
    if (epfd < 0) die("epoll_create1");
    for (int i = 1; i < argc; i++) {
        struct listener *l = calloc(1, sizeof *l);
        if (!l) die("calloc");
        char name[16];
        int port = 0, smtp_port = 0;
        if (sscanf(argv[i], "%15[a-z]:%d:%d", name, &port, &smtp_port) < 2) {
            fprintf(stderr, "bad listener %s\n", argv[i]);
            return 2;
        }
        if (!strcmp(name, "echo")) l->mode = ECHO;
        else if (!strcmp(name, "sink")) l->mode = SINK;
        else if (!strcmp(name, "source")) l->mode = SOURCE;
        else if (!strcmp(name, "smtp")) l->mode = SMTP;
        else if (!strcmp(name, "auth")) l->mode = AUTH;
        else { fprintf(stderr, "bad mode %s\n", name); return 2; }
        l->smtp_port = smtp_port;
        listen_on(l, port);
    }
    printf("ready\n");
    fflush(stdout);
    struct epoll_event events[512];
    for (;;) {
        int n = epoll_wait(epfd, events, 512, -1);
        if (n < 0) {
            if (errno == EINTR) continue;
            die("epoll_wait");
        }
        for (int i = 0; i < n; i++) {
            struct conn *c = events[i].data.ptr;
            if (c->is_listener) { on_accept(c); continue; }
            uint32_t e = events[i].events;
            /* A connection may be freed by the read handler; handle write first. */
            if ((e & EPOLLOUT) && on_writable(c)) continue;
            if (e & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) on_readable(c);
        }
    }
}
