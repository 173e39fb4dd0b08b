// Linux calls that Glibc's Swift overlay does not expose, or exposes with a
// layout Swift gets wrong: accept4(2), and epoll's `struct epoll_event`,
// which is packed on x86_64 (12 bytes) while Swift would import it padded.
#ifndef TLSFLOOR_CSOCKET_SHIM_H
#define TLSFLOOR_CSOCKET_SHIM_H
#include <stdint.h>
#include <sys/socket.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/timerfd.h>
#include <time.h>

extern int accept4(int fd, struct sockaddr *addr, socklen_t *addrlen, int flags);

/// Saves one fcntl per accepted connection.
static inline int tlsfloor_accept_nonblocking(int fd, struct sockaddr *addr, socklen_t *addrlen) {
    return accept4(fd, addr, addrlen, SOCK_NONBLOCK | SOCK_CLOEXEC);
}

/// One ready registration as Swift sees it: the event mask and the token
/// given at registration, unpacked.
typedef struct {
    uint32_t events;
    uint64_t token;
} tlsfloor_ready_event;

/// The most events one `tlsfloor_epoll_wait` returns.
#define TLSFLOOR_EPOLL_BATCH 128

static inline int tlsfloor_epoll_ctl(int epfd, int op, int fd, uint32_t events, uint64_t token) {
    struct epoll_event event = { .events = events, .data.u64 = token };
    return epoll_ctl(epfd, op, fd, &event);
}

/// epoll_wait into an unpacked array of at most TLSFLOOR_EPOLL_BATCH entries.
static inline int tlsfloor_epoll_wait(int epfd, tlsfloor_ready_event *out, int max, int timeout_ms) {
    struct epoll_event events[TLSFLOOR_EPOLL_BATCH];
    if (max > TLSFLOOR_EPOLL_BATCH) max = TLSFLOOR_EPOLL_BATCH;
    int count = epoll_wait(epfd, events, max, timeout_ms);
    for (int i = 0; i < count; i++) {
        out[i].events = events[i].events;
        out[i].token = events[i].data.u64;
    }
    return count;
}

/// Arms a one-shot CLOCK_MONOTONIC timerfd at an absolute time (ns since boot); 0 disarms.
static inline int tlsfloor_timerfd_arm(int fd, uint64_t deadline_ns) {
    struct itimerspec spec = {0};
    spec.it_value.tv_sec = (time_t)(deadline_ns / 1000000000ull);
    spec.it_value.tv_nsec = (long)(deadline_ns % 1000000000ull);
    return timerfd_settime(fd, TFD_TIMER_ABSTIME, &spec, NULL);
}

static inline uint32_t tlsfloor_epollin(void) { return EPOLLIN; }
static inline uint32_t tlsfloor_epollout(void) { return EPOLLOUT; }
static inline uint32_t tlsfloor_epollrdhup(void) { return EPOLLRDHUP; }
static inline uint32_t tlsfloor_epollhup(void) { return EPOLLHUP; }
static inline uint32_t tlsfloor_epollerr(void) { return EPOLLERR; }
static inline uint32_t tlsfloor_epollet(void) { return EPOLLET; }
#endif
