// accept4(2) is a GNU extension that Glibc's Swift overlay does not expose;
// it saves one fcntl per accepted connection.
#ifndef TLSFLOOR_CSOCKET_SHIM_H
#define TLSFLOOR_CSOCKET_SHIM_H
#include <sys/socket.h>

extern int accept4(int fd, struct sockaddr *addr, socklen_t *addrlen, int flags);

static inline int tlsfloor_accept_nonblocking(int fd, struct sockaddr *addr, socklen_t *addrlen) {
    return accept4(fd, addr, addrlen, SOCK_NONBLOCK | SOCK_CLOEXEC);
}
#endif
