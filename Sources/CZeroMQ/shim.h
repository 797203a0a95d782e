#ifndef SIPCLIENT_CZEROMQ_SHIM_H
#define SIPCLIENT_CZEROMQ_SHIM_H
#include <zmq.h>
#include <sys/eventfd.h>

/* A non-blocking eventfd that a bus thread polls next to its sockets, so other threads can wake zmq_poll. */
static inline int sipc_bus_wakeup_fd(void) {
    return eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
}
#endif
