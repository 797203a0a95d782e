#ifndef SIPCLIENT_CPOSIX_SHIM_H
#define SIPCLIENT_CPOSIX_SHIM_H
/* POSIX helpers Swift 6 cannot reach directly (C globals, macros). */
#include <stdio.h>
#include <signal.h>
#include <spawn.h>
#include <sys/prctl.h>
#include <sys/wait.h>

/* Line-buffer stdout/stderr so daemon logs survive a kill. */
static inline void cposix_line_buffer_stdio(void) {
    setvbuf(stdout, NULL, _IOLBF, 0);
    setvbuf(stderr, NULL, _IOLBF, 0);
}

/* POSIX_SPAWN_SETSID is a glibc extension (2.26+) not always visible as a Swift constant. */
static inline short cposix_spawn_setsid_flag(void) {
#ifdef POSIX_SPAWN_SETSID
    return POSIX_SPAWN_SETSID;
#else
    return 0x80;
#endif
}

/* Ask the kernel to send `sig` to this process when its parent dies. */
static inline int cposix_set_parent_death_signal(int sig) {
    return prctl(PR_SET_PDEATHSIG, sig, 0, 0, 0);
}

/* Make this process a subreaper: orphaned descendants are re-parented to it. */
static inline int cposix_set_child_subreaper(void) {
    return prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
}

/* glibc >= 2.34 exports this, but declares it only under _GNU_SOURCE. */
extern int posix_spawn_file_actions_addclosefrom_np(posix_spawn_file_actions_t *actions, int from);
static inline int cposix_spawn_close_from(posix_spawn_file_actions_t *actions, int from) {
    return posix_spawn_file_actions_addclosefrom_np(actions, from);
}

static inline int cposix_wifexited(int status) { return WIFEXITED(status); }
static inline int cposix_wexitstatus(int status) { return WEXITSTATUS(status); }
static inline int cposix_wifsignaled(int status) { return WIFSIGNALED(status); }
static inline int cposix_wtermsig(int status) { return WTERMSIG(status); }
#endif
