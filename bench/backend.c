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
 *   stream:PORT   greeting, then at once streams IMAP-like response lines
 *                 (78 bytes each) as fast as the peer reads them, without
 *                 waiting for a login: a download before login, so a proxy's
 *                 IMAP inspector (which watches until a login) stays in the path
 *   smtp:PORT     220 greeting; 250 to EHLO/HELO (multi-line for EHLO), 221 to
 *                 QUIT then close, 250 to anything else
 *   imap:PORT     "* OK" greeting; "+ go ahead" to a line ending in a literal
 *                 "{N}" (nginx mail sends LOGIN as literals), "TAG OK" when a
 *                 command is complete, "* BYE" + "TAG OK" to LOGOUT then close
 *   pop3:PORT     "+OK" greeting; "+OK" to every line, "+OK" to QUIT then close
 *   auth:PORT:SMTPPORT[:IMAPPORT[:POP3PORT]]  nginx mail auth_http
 *                 responder: reads one HTTP request, answers "Auth-Status: OK"
 *                 pointing at 127.0.0.1 and the port for its Auth-Protocol
 *                 (SMTPPORT when unknown), closes
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

enum mode { ECHO, SINK, SOURCE, STREAM, SMTP, IMAP, POP3, AUTH };

struct listener {
    enum mode mode;
    int fd;
    int smtp_port, imap_port, pop3_port; /* AUTH only */
};

/* Per-connection state. Replies are small; only echo and source ever meet a
 * full socket buffer, and they keep what is unsent in `out`. */
struct conn {
    int fd;
    struct listener *listener;
    int is_listener;
    int answered;      /* sink/source: preamble answered */
    int closing;       /* smtp/imap/pop3: close once `out` is flushed */
    int auth_port;     /* auth: the port for the request's Auth-Protocol */
    char tag[64];      /* imap: tag of the command being continued (literals) */
    char line[1024];   /* smtp/auth/preamble: partial input line */
    size_t line_len;
    char *out;
    size_t out_len, out_cap;
};

static int epfd;
static char source_chunk[65536];
static char stream_chunk[65520]; /* 840 lines of 78 bytes */

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

/* Source and stream: keep the socket buffer full. A partial send leaves the
 * chunk's rest in `out`, so the stream's lines stay whole. */
static int pump_source(struct conn *c) {
    if (send_bytes(c, NULL, 0) < 0) return -1;
    const char *chunk = c->listener->mode == STREAM ? stream_chunk : source_chunk;
    size_t size = c->listener->mode == STREAM ? sizeof stream_chunk : sizeof source_chunk;
    while (c->out_len == 0) {
        ssize_t n = send(c->fd, chunk, size, MSG_NOSIGNAL);
        if (n > 0 && (size_t)n < size && c->listener->mode == STREAM) return send_bytes(c, chunk + n, size - (size_t)n);
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

/* IMAP: a command may span lines when it carries literals ("{N}" at a line's
 * end): the tag is the first word of its first line. */
static int imap_line(struct conn *c, const char *line) {
    size_t len = strlen(line);
    while (len && (line[len - 1] == '\n' || line[len - 1] == '\r')) len--;
    int continued = c->tag[0] != 0;
    if (!continued) {
        size_t t = strcspn(line, " \r\n");
        if (t >= sizeof c->tag) t = sizeof c->tag - 1;
        memcpy(c->tag, line, t);
        c->tag[t] = 0;
        if (!t) return send_str(c, "* BAD no tag\r\n");
    }
    if (len && line[len - 1] == '}') return send_str(c, "+ go ahead\r\n");
    char reply[160];
    const char *verb = line + strlen(c->tag) + 1;
    if (!continued && !strncasecmp(verb, "LOGOUT", 6)) {
        c->closing = 1;
        snprintf(reply, sizeof reply, "* BYE bench\r\n%s OK LOGOUT done\r\n", c->tag);
    } else {
        snprintf(reply, sizeof reply, "%s OK done\r\n", c->tag);
    }
    c->tag[0] = 0;
    return send_str(c, reply);
}

static int pop3_line(struct conn *c, const char *line) {
    if (!strncasecmp(line, "QUIT", 4)) {
        c->closing = 1;
        return send_str(c, "+OK bye\r\n");
    }
    return send_str(c, "+OK\r\n");
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
        } else if (c->listener->mode == IMAP) {
            if (imap_line(c, c->line) < 0) return -1;
        } else if (c->listener->mode == POP3) {
            if (pop3_line(c, c->line) < 0) return -1;
        } else if (c->listener->mode == AUTH) {
            struct listener *l = c->listener;
            if (!strncasecmp(c->line, "Auth-Protocol:", 14)) {
                const char *p = c->line + 14;
                while (*p == ' ') p++;
                if (!strncasecmp(p, "imap", 4) && l->imap_port) c->auth_port = l->imap_port;
                else if (!strncasecmp(p, "pop3", 4) && l->pop3_port) c->auth_port = l->pop3_port;
            }
            if (strcmp(c->line, "\r\n") == 0) {
                char reply[256];
                snprintf(reply, sizeof reply,
                         "HTTP/1.0 200 OK\r\nAuth-Status: OK\r\nAuth-Server: 127.0.0.1\r\nAuth-Port: %d\r\n\r\n",
                         c->auth_port ? c->auth_port : l->smtp_port);
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
        case STREAM: break; /* streams regardless of what the client says */
        case SMTP:
        case IMAP:
        case POP3:
        case AUTH: rc = feed_lines(c, buf, (size_t)n); break;
        }
        if (rc < 0) { conn_close(c); return; }
    }
    if (c->closing && c->out_len == 0) conn_close(c);
}

/* Returns 1 when the connection was closed (and freed). */
static int on_writable(struct conn *c) {
    int pumping = (c->listener->mode == SOURCE && c->answered) || c->listener->mode == STREAM;
    int rc = pumping ? pump_source(c) : send_bytes(c, NULL, 0);
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
        case STREAM:
            rc = send_str(c, "* OK bench ready\r\n");
            if (rc == 0) rc = pump_source(c);
            break;
        case SMTP: rc = send_str(c, "220 bench.local ESMTP bench\r\n"); break;
        case IMAP: rc = send_str(c, "* OK [CAPABILITY IMAP4rev1] bench ready\r\n"); break;
        case POP3: rc = send_str(c, "+OK bench ready\r\n"); break;
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
        fprintf(stderr, "usage: %s echo|sink|source|stream|smtp|imap|pop3:PORT | auth:PORT:SMTPPORT[:IMAPPORT[:POP3PORT]] ...\n",
                argv[0]);
        return 2;
    }
    signal(SIGPIPE, SIG_IGN);
    memset(source_chunk, 'x', sizeof source_chunk);
    for (size_t i = 0; i < sizeof stream_chunk; i += 78) {
        /* "* OK " + 71 bytes of text + CRLF: what a FETCH literal's lines cost a line scanner */
        memset(stream_chunk + i, 'y', 78);
        memcpy(stream_chunk + i, "* OK ", 5);
        memcpy(stream_chunk + i + 76, "\r\n", 2);
    }
    epfd = epoll_create1(EPOLL_CLOEXEC);
    if (epfd < 0) die("epoll_create1");
    for (int i = 1; i < argc; i++) {
        struct listener *l = calloc(1, sizeof *l);
        if (!l) die("calloc");
        char name[16];
        int port = 0, smtp_port = 0, imap_port = 0, pop3_port = 0;
        if (sscanf(argv[i], "%15[a-z0-9]:%d:%d:%d:%d", name, &port, &smtp_port, &imap_port, &pop3_port) < 2) {
            fprintf(stderr, "bad listener %s\n", argv[i]);
            return 2;
        }
        if (!strcmp(name, "echo")) l->mode = ECHO;
        else if (!strcmp(name, "sink")) l->mode = SINK;
        else if (!strcmp(name, "source")) l->mode = SOURCE;
        else if (!strcmp(name, "stream")) l->mode = STREAM;
        else if (!strcmp(name, "smtp")) l->mode = SMTP;
        else if (!strcmp(name, "imap")) l->mode = IMAP;
        else if (!strcmp(name, "pop3")) l->mode = POP3;
        else if (!strcmp(name, "auth")) l->mode = AUTH;
        else { fprintf(stderr, "bad mode %s\n", name); return 2; }
        l->smtp_port = smtp_port;
        l->imap_port = imap_port;
        l->pop3_port = pop3_port;
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
