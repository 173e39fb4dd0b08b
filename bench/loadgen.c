/* loadgen.c — TLS load generator for bench/run (loopback only).
 *
 *   loadgen MODE PORT [--conns N] [--duration S] [--tls 1.2|1.3] [--total N]
 *                     [--size B] [--timeout S]
 *
 * One thread, one epoll set, non-blocking sockets, a fixed number of
 * connection slots, each running a short script of steps and starting over
 * until the deadline. Modes:
 *
 *   handshake      connect, full handshake (never resumes), read the relayed
 *                  greeting line, close. Rate and connect→greeting latency.
 *   resume         the same, each slot resuming its previous session (tickets).
 *   bulk-up        after the greeting: LOGIN/ID preamble, then write
 *                  continuously; MB/s written.
 *   bulk-down      after the greeting: preamble, then read continuously; MB/s.
 *   bulk-down-nologin  after the greeting, read continuously without ever
 *                  logging in (the backend's `stream` listener sends at once);
 *                  MB/s through a proxy that still inspects the session.
 *   latency        after the greeting: SIZE-byte line, wait for its echo,
 *                  repeat; round trips/s and p50/p99.
 *   idle           open --total connections (at most --conns handshakes at
 *                  once), read each greeting, hold them; prints "ready N" on
 *                  stdout once all are open, holds until --duration.
 *   smtp-starttls  220 → EHLO → STARTTLS → handshake → EHLO → MAIL FROM →
 *                  QUIT; sessions/s and latency.
 *   imap-starttls  * OK → a STARTTLS → handshake → b LOGIN → c LOGOUT;
 *                  sessions/s and latency.
 *   pop3-starttls  +OK → STLS → handshake → USER → PASS → QUIT; sessions/s.
 *
 * Prints one JSON object on stdout at the end. Every connection goes to
 * 127.0.0.1.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

enum op { CONNECT, HANDSHAKE, EXPECT_LINE, EXPECT_SMTP, EXPECT_PREFIX, EXPECT_TAGGED, SEND, BULK_SEND, BULK_RECV, PINGPONG, HOLD, DONE };

struct step {
    enum op op;
    const char *text; /* SEND: bytes; EXPECT_SMTP: the expected code; EXPECT_PREFIX: the line's start;
                         EXPECT_TAGGED: the same after skipping untagged "* " lines */
};

static const char preamble[] = "a LOGIN bench secret\r\nb ID NIL\r\n";

static const struct step script_handshake[] = {{CONNECT}, {HANDSHAKE}, {EXPECT_LINE}, {DONE}};
static const struct step script_bulk_up[] = {{CONNECT}, {HANDSHAKE}, {EXPECT_LINE}, {SEND, preamble},
                                             {EXPECT_LINE}, {EXPECT_LINE}, {BULK_SEND}};
static const struct step script_bulk_down[] = {{CONNECT}, {HANDSHAKE}, {EXPECT_LINE}, {SEND, preamble}, {BULK_RECV}};
static const struct step script_bulk_down_nologin[] = {{CONNECT}, {HANDSHAKE}, {EXPECT_LINE}, {BULK_RECV}};
static const struct step script_latency[] = {{CONNECT}, {HANDSHAKE}, {EXPECT_LINE}, {PINGPONG}};
static const struct step script_idle[] = {{CONNECT}, {HANDSHAKE}, {EXPECT_LINE}, {HOLD}};
static const struct step script_smtp[] = {
    {CONNECT},          {EXPECT_SMTP, "220"}, {SEND, "EHLO loadgen.example.org\r\n"}, {EXPECT_SMTP, "250"},
    {SEND, "STARTTLS\r\n"}, {EXPECT_SMTP, "220"}, {HANDSHAKE},
    {SEND, "EHLO loadgen.example.org\r\n"}, {EXPECT_SMTP, "250"},
    {SEND, "MAIL FROM:<bench@example.org>\r\n"}, {EXPECT_SMTP, "250"},
    {SEND, "QUIT\r\n"}, {EXPECT_SMTP, "221"}, {DONE}};

static const struct step script_imap[] = {
    {CONNECT}, {EXPECT_PREFIX, "* OK"}, {SEND, "a STARTTLS\r\n"}, {EXPECT_TAGGED, "a OK"}, {HANDSHAKE},
    {SEND, "b LOGIN bench secret\r\n"}, {EXPECT_TAGGED, "b OK"},
    {SEND, "c LOGOUT\r\n"}, {EXPECT_TAGGED, "c OK"}, {DONE}};
static const struct step script_pop3[] = {
    {CONNECT}, {EXPECT_PREFIX, "+OK"}, {SEND, "STLS\r\n"}, {EXPECT_PREFIX, "+OK"}, {HANDSHAKE},
    {SEND, "USER bench\r\n"}, {EXPECT_PREFIX, "+OK"}, {SEND, "PASS secret\r\n"}, {EXPECT_PREFIX, "+OK"},
    {SEND, "QUIT\r\n"}, {EXPECT_PREFIX, "+OK"}, {DONE}};

struct slot {
    int index;
    int fd;
    SSL *ssl;
    SSL_SESSION *session; /* resume: the last ticket this slot received */
    int step;
    size_t sent;          /* SEND / PINGPONG: bytes of the current message written */
    int waiting_echo;
    char rbuf[4096];
    size_t rlen;
    double started;       /* this session (or ping) began */
    double deadline;      /* current step must finish by then */
    double restart_at;    /* > 0: idle until then, then start over */
    int active;
    int holding;          /* idle: open and counted in `established` */
};

static const struct step *script;
static const char *mode_name;
static int port, conns = 64, total = 0, msg_size = 64;
static double duration = 10, op_timeout = 5;
static int tls_version = 0, resume_mode = 0;
static volatile sig_atomic_t stop_requested;
static SSL_CTX *ctx;
static int epfd;
static struct slot *slots;
static int nslots;
static long long ok, errors, resumed, bytes_moved;
static int established, started_count, in_flight;
static double *samples;
static size_t nsamples, samples_cap;
static char first_error[200];
static char bulk_buf[16384];
static char *ping_msg;

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void sample(double seconds) {
    if (nsamples == samples_cap) {
        samples_cap = samples_cap ? samples_cap * 2 : 65536;
        samples = realloc(samples, samples_cap * sizeof *samples);
        if (!samples) { perror("realloc"); exit(1); }
    }
    samples[nsamples++] = seconds;
}

static void note_error(const char *what) {
    errors++;
    if (!first_error[0]) {
        unsigned long e = ERR_peek_error();
        if (e) snprintf(first_error, sizeof first_error, "%s: %s", what, ERR_reason_error_string(e));
        else snprintf(first_error, sizeof first_error, "%s: %s", what, errno ? strerror(errno) : "closed");
    }
    ERR_clear_error();
}

static void slot_close(struct slot *s) {
    if (s->ssl) {
        SSL_shutdown(s->ssl); /* one close_notify, no wait */
        SSL_free(s->ssl);
        s->ssl = NULL;
    }
    if (s->fd >= 0) close(s->fd);
    s->fd = -1;
    s->active = 0;
}

static int new_session(SSL *ssl, SSL_SESSION *session) {
    struct slot *s = SSL_get_app_data(ssl);
    if (s->session) SSL_SESSION_free(s->session);
    s->session = session;
    return 1; /* we keep the reference */
}

static void slot_fail(struct slot *s, const char *what) {
    if (script == script_idle) {
        if (s->holding) established--;
        else in_flight--;
        s->holding = 0;
    }
    note_error(what);
    slot_close(s);
    s->restart_at = now() + 0.02;
}

/* Reads what is available into rbuf. 1: got bytes, 0: would block, -1: failed. */
static int fill(struct slot *s) {
    if (s->rlen == sizeof s->rbuf) return -1; /* a line longer than any reply we expect */
    if (s->ssl) {
        ERR_clear_error();
        int n = SSL_read(s->ssl, s->rbuf + s->rlen, (int)(sizeof s->rbuf - s->rlen));
        if (n > 0) { s->rlen += (size_t)n; return 1; }
        int e = SSL_get_error(s->ssl, n);
        if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) return 0;
        return -1;
    }
    ssize_t n = recv(s->fd, s->rbuf + s->rlen, sizeof s->rbuf - s->rlen, 0);
    if (n > 0) { s->rlen += (size_t)n; return 1; }
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) return 0;
    return -1;
}

/* Takes one line from rbuf into `line` (NUL-terminated). 1: got one, 0: need more. */
static int take_line(struct slot *s, char *line, size_t cap) {
    char *nl = memchr(s->rbuf, '\n', s->rlen);
    if (!nl) return 0;
    size_t len = (size_t)(nl - s->rbuf) + 1;
    size_t copy = len < cap - 1 ? len : cap - 1;
    memcpy(line, s->rbuf, copy);
    line[copy] = 0;
    memmove(s->rbuf, s->rbuf + len, s->rlen - len);
    s->rlen -= len;
    return 1;
}

/* Writes buf[s->sent..len). 1: all written, 0: would block, -1: failed. */
static int write_all(struct slot *s, const char *buf, size_t len) {
    while (s->sent < len) {
        if (s->ssl) {
            ERR_clear_error();
            int n = SSL_write(s->ssl, buf + s->sent, (int)(len - s->sent));
            if (n > 0) { s->sent += (size_t)n; continue; }
            int e = SSL_get_error(s->ssl, n);
            if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) return 0;
            return -1;
        }
        ssize_t n = send(s->fd, buf + s->sent, len - s->sent, MSG_NOSIGNAL);
        if (n > 0) { s->sent += (size_t)n; continue; }
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) return 0;
        return -1;
    }
    return 1;
}

static void next_step(struct slot *s) {
    s->step++;
    s->sent = 0;
    s->deadline = now() + op_timeout;
}

/* Runs the slot's script until it blocks. */
static void drive(struct slot *s) {
    char line[1024];
    for (;;) {
        const struct step *st = &script[s->step];
        switch (st->op) {
        case CONNECT: {
            int err = 0;
            socklen_t len = sizeof err;
            if (getsockopt(s->fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0 || err) {
                errno = err;
                slot_fail(s, "connect");
                return;
            }
            next_step(s);
            break;
        }
        case HANDSHAKE: {
            if (!s->ssl) {
                s->ssl = SSL_new(ctx);
                SSL_set_app_data(s->ssl, s);
                SSL_set_fd(s->ssl, s->fd);
                SSL_set_tlsext_host_name(s->ssl, "bench.local");
                if (resume_mode && s->session) SSL_set_session(s->ssl, s->session);
            }
            ERR_clear_error();
            int rc = SSL_connect(s->ssl);
            if (rc != 1) {
                int e = SSL_get_error(s->ssl, rc);
                if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) return;
                slot_fail(s, "handshake");
                return;
            }
            if (SSL_session_reused(s->ssl)) resumed++;
            next_step(s);
            break;
        }
        case EXPECT_LINE:
        case EXPECT_SMTP:
        case EXPECT_PREFIX:
        case EXPECT_TAGGED: {
            int got;
            while (!(got = take_line(s, line, sizeof line))) {
                int r = fill(s);
                if (r == 0) return;
                if (r < 0) { slot_fail(s, "read"); return; }
            }
            if (st->op == EXPECT_SMTP) {
                if (strncmp(line, st->text, 3) != 0) {
                    errno = 0;
                    if (!first_error[0]) snprintf(first_error, sizeof first_error, "expected %s, got %.60s", st->text, line);
                    slot_fail(s, "reply");
                    return;
                }
                if (line[3] == '-') break; /* continuation line */
            }
            if (st->op == EXPECT_TAGGED && !strncmp(line, "* ", 2)) break; /* untagged: read on */
            if ((st->op == EXPECT_PREFIX || st->op == EXPECT_TAGGED) && strncmp(line, st->text, strlen(st->text)) != 0) {
                errno = 0;
                if (!first_error[0]) snprintf(first_error, sizeof first_error, "expected %s, got %.60s", st->text, line);
                slot_fail(s, "reply");
                return;
            }
            next_step(s);
            break;
        }
        case SEND: {
            int r = write_all(s, st->text, strlen(st->text));
            if (r == 0) return;
            if (r < 0) { slot_fail(s, "write"); return; }
            next_step(s);
            break;
        }
        case BULK_SEND:
            for (;;) {
                s->sent = 0;
                int r = write_all(s, bulk_buf, sizeof bulk_buf);
                bytes_moved += (long long)s->sent;
                if (r == 0) {
                    /* SSL_write retries the whole record; it was not counted. */
                    return;
                }
                if (r < 0) { slot_fail(s, "write"); return; }
                s->deadline = now() + op_timeout;
            }
        case BULK_RECV:
            for (;;) {
                s->rlen = 0;
                int r = fill(s);
                if (r == 0) return;
                if (r < 0) { slot_fail(s, "read"); return; }
                bytes_moved += (long long)s->rlen;
                s->deadline = now() + op_timeout;
            }
        case PINGPONG:
            for (;;) {
                if (!s->waiting_echo) {
                    if (s->sent == 0) s->started = now();
                    int r = write_all(s, ping_msg, (size_t)msg_size);
                    if (r == 0) return;
                    if (r < 0) { slot_fail(s, "write"); return; }
                    s->waiting_echo = 1;
                    s->rlen = 0;
                }
                while (s->rlen < (size_t)msg_size) {
                    int r = fill(s);
                    if (r == 0) return;
                    if (r < 0) { slot_fail(s, "read"); return; }
                }
                double t = now();
                sample(t - s->started);
                ok++;
                s->rlen -= (size_t)msg_size;
                s->waiting_echo = 0;
                s->sent = 0;
                s->deadline = t + op_timeout;
            }
        case HOLD:
            if (!s->holding) {
                s->holding = 1;
                s->deadline = 1e300;
                established++;
                in_flight--;
            }
            /* Drain anything (e.g. TLS 1.3 tickets) so the peer is not blocked. */
            for (;;) {
                s->rlen = 0;
                int r = fill(s);
                if (r == 0) return;
                if (r < 0) { slot_fail(s, "idle read"); return; }
            }
        case DONE: {
            double t = now();
            sample(t - s->started);
            ok++;
            slot_close(s);
            s->restart_at = t; /* start over on the next loop turn */
            return;
        }
        }
    }
}

static double end_time;

static void slot_start(struct slot *s) {
    s->restart_at = 0;
    s->holding = 0;
    s->step = 0;
    s->sent = 0;
    s->rlen = 0;
    s->waiting_echo = 0;
    s->started = now();
    s->deadline = s->started + op_timeout;
    s->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (s->fd < 0) { note_error("socket"); s->restart_at = now() + 0.1; return; }
    int one = 1;
    setsockopt(s->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port),
                             .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    s->active = 1;
    struct epoll_event ev = {.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET, .data.ptr = s};
    epoll_ctl(epfd, EPOLL_CTL_ADD, s->fd, &ev);
    if (connect(s->fd, (struct sockaddr *)&sa, sizeof sa) < 0 && errno != EINPROGRESS) {
        slot_fail(s, "connect");
        return;
    }
}

static void on_term(int sig) {
    (void)sig;
    stop_requested = 1;
}

static void usage(void) {
    fprintf(stderr, "usage: loadgen handshake|resume|bulk-up|bulk-down|bulk-down-nologin|latency|idle|"
                    "smtp-starttls|imap-starttls|pop3-starttls PORT "
                    "[--conns N] [--duration S] [--tls 1.2|1.3] [--total N] [--size B] [--timeout S]\n");
    exit(2);
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double percentile(double p) {
    if (!nsamples) return 0;
    size_t i = (size_t)(p * (double)(nsamples - 1));
    return samples[i] * 1000.0;
}

int main(int argc, char **argv) {
    if (argc < 3) usage();
    mode_name = argv[1];
    port = atoi(argv[2]);
    for (int i = 3; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "--conns")) conns = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--duration")) duration = atof(argv[i + 1]);
        else if (!strcmp(argv[i], "--tls")) tls_version = !strcmp(argv[i + 1], "1.3") ? TLS1_3_VERSION : TLS1_2_VERSION;
        else if (!strcmp(argv[i], "--total")) total = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--size")) msg_size = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--timeout")) op_timeout = atof(argv[i + 1]);
        else usage();
    }
    if (!strcmp(mode_name, "handshake") || !strcmp(mode_name, "resume")) script = script_handshake;
    else if (!strcmp(mode_name, "bulk-up")) script = script_bulk_up;
    else if (!strcmp(mode_name, "bulk-down")) script = script_bulk_down;
    else if (!strcmp(mode_name, "latency")) script = script_latency;
    else if (!strcmp(mode_name, "idle")) script = script_idle;
    else if (!strcmp(mode_name, "bulk-down-nologin")) script = script_bulk_down_nologin;
    else if (!strcmp(mode_name, "smtp-starttls")) script = script_smtp;
    else if (!strcmp(mode_name, "imap-starttls")) script = script_imap;
    else if (!strcmp(mode_name, "pop3-starttls")) script = script_pop3;
    else usage();
    if (msg_size < 8 || msg_size > (int)sizeof(((struct slot *)0)->rbuf)) usage();
    signal(SIGPIPE, SIG_IGN);
    signal(SIGTERM, on_term); /* idle: bench/run ends the hold once it has measured */

    ctx = SSL_CTX_new(TLS_client_method());
    SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);
    SSL_CTX_set_mode(ctx, SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
    if (tls_version) {
        SSL_CTX_set_min_proto_version(ctx, tls_version);
        SSL_CTX_set_max_proto_version(ctx, tls_version);
    }
    resume_mode = !strcmp(mode_name, "resume");
    if (resume_mode) {
        SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_CLIENT | SSL_SESS_CACHE_NO_INTERNAL_STORE);
        SSL_CTX_sess_set_new_cb(ctx, new_session);
    } else {
        SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
    }
    memset(bulk_buf, 'x', sizeof bulk_buf);
    ping_msg = malloc((size_t)msg_size);
    memset(ping_msg, 'p', (size_t)msg_size);
    memcpy(ping_msg, "c NOOP ", 7);
    ping_msg[msg_size - 2] = '\r';
    ping_msg[msg_size - 1] = '\n';

    epfd = epoll_create1(EPOLL_CLOEXEC);
    nslots = script == script_idle ? total : conns;
    if (nslots <= 0) usage();
    slots = calloc((size_t)nslots, sizeof *slots);
    for (int i = 0; i < nslots; i++) {
        slots[i].index = i;
        slots[i].fd = -1;
        slots[i].restart_at = 1; /* due now */
    }

    double t0 = now();
    end_time = t0 + duration;
    double next_sweep = t0 + 0.1;
    int announced = 0, last_established = 0;
    double last_progress = t0;
    struct epoll_event events[1024];
    for (;;) {
        double t = now();
        if (t >= end_time || stop_requested) break;
        /* Start slots that are due, within the in-flight bound for idle. */
        for (int i = 0; i < nslots; i++) {
            struct slot *s = &slots[i];
            if (s->active || s->restart_at == 0 || s->restart_at > t) continue;
            if (script == script_idle) {
                if (in_flight >= conns) break;
                in_flight++;
            }
            slot_start(s);
            started_count++;
        }
        if (script == script_idle && !announced) {
            /* All open, or no progress for 3 s (a peer that stops accepting
             * more): report how many are held. */
            if (established != last_established) {
                last_established = established;
                last_progress = t;
            }
            if (established == nslots || (established > 0 && t - last_progress > 3.0)) {
                printf("ready %d\n", established);
                fflush(stdout);
                announced = 1;
            }
        }
        int n = epoll_wait(epfd, events, 1024, 5);
        for (int i = 0; i < n; i++) {
            struct slot *s = events[i].data.ptr;
            if (s->active) drive(s);
        }
        t = now();
        if (t >= next_sweep) {
            next_sweep = t + 0.1;
            for (int i = 0; i < nslots; i++) {
                struct slot *s = &slots[i];
                if (s->active && s->deadline < t) {
                    errno = ETIMEDOUT;
                    slot_fail(s, "timeout");
                }
            }
        }
    }
    double elapsed = now() - t0;
    qsort(samples, nsamples, sizeof *samples, cmp_double);
    int open_at_end = 0;
    for (int i = 0; i < nslots; i++) open_at_end += slots[i].active;
    printf("{\"mode\": \"%s\", \"port\": %d, \"conns\": %d, \"seconds\": %.3f, \"ok\": %lld, \"errors\": %lld, "
           "\"rate\": %.1f, \"p50_ms\": %.3f, \"p99_ms\": %.3f, \"resumed\": %lld, \"bytes\": %lld, "
           "\"mb_per_s\": %.1f, \"established\": %d, \"open_at_end\": %d, \"first_error\": \"%s\"}\n",
           mode_name, port, conns, elapsed, ok, errors, ok / elapsed, percentile(0.50), percentile(0.99), resumed,
           bytes_moved, bytes_moved / elapsed / 1e6, established, open_at_end, first_error);
    return 0;
}
