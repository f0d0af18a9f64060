/* Threads that never take the terminal's signals. A thread inherits its creator's signal
 * mask, so without this SIGWINCH, SIGINT, SIGTERM and SIGHUP may be delivered to a worker, a
 * page fetcher or an emulator thread: the handler then runs there (a data race on its flags
 * under a resize storm) and their syscalls see EINTR. Only the UI thread takes them. */
#ifndef CERTDECK_THREADS_H
#define CERTDECK_THREADS_H

#include <pthread.h>
#include <signal.h>

/* Fills set with SIGWINCH, SIGINT, SIGTERM and SIGHUP: the signals the UI thread handles. */
void threads_ui_signals(sigset_t *set);

/* pthread_create with the UI's signals blocked in the new thread (and every thread it
 * creates); the caller's mask is unchanged. Returns pthread_create's result. */
int threads_create(pthread_t *t, void *(*fn)(void *), void *arg);

/* Blocks the UI's signals in the calling thread and stores the previous mask in old, for code
 * that starts threads it does not create itself (libmicrohttpd); undo with threads_unquiet. */
void threads_quiet(sigset_t *old);
void threads_unquiet(const sigset_t *old);

#endif
