/* Threads that never take the terminal's signals (see threads.h). */
#include "core/threads.h"

void threads_ui_signals(sigset_t *set)
{
    sigemptyset(set);
    sigaddset(set, SIGWINCH);
    sigaddset(set, SIGINT);
    sigaddset(set, SIGTERM);
    sigaddset(set, SIGHUP);
}

void threads_quiet(sigset_t *old)
{
    sigset_t ui;
    threads_ui_signals(&ui);
    pthread_sigmask(SIG_BLOCK, &ui, old);
}

void threads_unquiet(const sigset_t *old)
{
    pthread_sigmask(SIG_SETMASK, old, NULL);
}

int threads_create(pthread_t *t, void *(*fn)(void *), void *arg)
{
    sigset_t old;
    threads_quiet(&old);
    int rc = pthread_create(t, NULL, fn, arg);
    threads_unquiet(&old);
    return rc;
}
