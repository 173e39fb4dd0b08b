/* bare-openssl.c — the least a TLS server can keep per idle connection, for
 * bench/run's idle run: tlsfloord's RSS per idle connection is reported as
 * bytes above this server's.
 *
 *   bare-openssl PORT CERT KEY
 *
 * One thread, one epoll set, non-blocking. Per connection: SSL_accept, then the
 * same greeting line as bench/backend ("* OK bench ready"), then nothing but
 * the SSL* and the socket, kept until the client closes (reads are drained and
 * dropped). The context is set as tlsfloord sets its own: TLS 1.2 floor,
 * SSL_MODE_RELEASE_BUFFERS, stateless tickets with the server session cache
 * off. No backend connection, no log, no per-connection state of its own
 * beyond a pointer. Loopback only.
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
#include <unistd.h>

static const char greeting[] = "* OK bench ready\r\n";

struct conn {
    int fd;
    SSL *ssl;      /* NULL for the listener */
    int greeted;
};

static int epfd;

static void conn_close(struct conn *c) {
    SSL_free(c->ssl);
    close(c->fd);
    free(c);
}

/* Drives one connection until it would block; closes it when done or failed. */
static void drive(struct conn *c) {
    ERR_clear_error();
    if (!SSL_is_init_finished(c->ssl)) {
        int rc = SSL_accept(c->ssl);
        if (rc != 1) {
            int e = SSL_get_error(c->ssl, rc);
            if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) return;
            conn_close(c);
            return;
        }
    }
    if (!c->greeted) {
        int rc = SSL_write(c->ssl, greeting, (int)sizeof greeting - 1);
        if (rc <= 0) {
            int e = SSL_get_error(c->ssl, rc);
            if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) return;
            conn_close(c);
            return;
        }
        c->greeted = 1;
    }
    char buf[4096];
    for (;;) {
        ERR_clear_error();
        int n = SSL_read(c->ssl, buf, sizeof buf);
        if (n > 0) continue;
        int e = SSL_get_error(c->ssl, n);
        if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) return;
        conn_close(c);
        return;
    }
}

int main(int argc, char **argv) {
    if (argc != 4) {
        fprintf(stderr, "usage: %s PORT CERT KEY\n", argv[0]);
        return 2;
    }
    signal(SIGPIPE, SIG_IGN);
    SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
    SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
    SSL_CTX_set_mode(ctx, SSL_MODE_RELEASE_BUFFERS);
    SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
    if (SSL_CTX_use_certificate_chain_file(ctx, argv[2]) != 1 ||
        SSL_CTX_use_PrivateKey_file(ctx, argv[3], SSL_FILETYPE_PEM) != 1) {
        ERR_print_errors_fp(stderr);
        return 1;
    }
    int lfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    int one = 1;
    setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)atoi(argv[1])),
                             .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    if (bind(lfd, (struct sockaddr *)&sa, sizeof sa) < 0 || listen(lfd, 4096) < 0) {
        perror("bind/listen");
        return 1;
    }
    epfd = epoll_create1(EPOLL_CLOEXEC);
    struct conn listener = {.fd = lfd};
    struct epoll_event lev = {.events = EPOLLIN, .data.ptr = &listener};
    epoll_ctl(epfd, EPOLL_CTL_ADD, lfd, &lev);
    struct epoll_event events[512];
    for (;;) {
        int n = epoll_wait(epfd, events, 512, -1);
        if (n < 0) {
            if (errno == EINTR) continue;
            perror("epoll_wait");
            return 1;
        }
        for (int i = 0; i < n; i++) {
            struct conn *c = events[i].data.ptr;
            if (c != &listener) {
                drive(c);
                continue;
            }
            for (;;) {
                int fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
                if (fd < 0) {
                    if (errno == EINTR || errno == ECONNABORTED) continue;
                    break;
                }
                setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
                struct conn *nc = calloc(1, sizeof *nc);
                if (!nc) { close(fd); continue; }
                nc->fd = fd;
                nc->ssl = SSL_new(ctx);
                SSL_set_fd(nc->ssl, fd);
                struct epoll_event ev = {.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET, .data.ptr = nc};
                epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev);
                drive(nc);
            }
        }
    }
}
