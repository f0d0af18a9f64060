/* :save: the store copied under its lock on the UI thread (one pass, no I/O), then written by a
 * thread that wakes the loop through the store when it is done. */
#include "tui/app/save.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/snapshot.h"
#include "core/threads.h"
#include "tui/app/prompt.h"

struct save_job {
    pthread_t thread;
    bool threaded;       /* thread was started (else the write ran on the caller's thread) */
    struct store *store; /* woken when done */
    struct snapshot_hold *hold;
    char *path;
    char *endpoint;
    char secret_id[SNAPSHOT_SECRET_ID_PREFIX + 1];
    int64_t taken_unix;
    atomic_int done;
    int rc;
    struct snapshot_stats stats;
    char err[1200];
};

static void *save_thread(void *arg)
{
    struct save_job *j = arg;
    struct snapshot_meta meta = {
        .taken_unix = j->taken_unix, .endpoint = j->endpoint, .secret_id = j->secret_id};
    j->rc = snapshot_hold_write(j->hold, j->path, &meta, true, &j->stats, j->err, sizeof j->err);
    atomic_store(&j->done, 1);
    store_touch(j->store);
    return NULL;
}

static void job_free(struct save_job *j)
{
    snapshot_hold_free(j->hold);
    free(j->path);
    free(j->endpoint);
    free(j);
}

void save_command(struct app *a, const char *arg)
{
    if (a->save) {
        app_msg(a, APP_MSG_INFO, "a snapshot is still being written: wait for it");
        return;
    }
    if (!arg[0]) {
        char name[96];
        snapshot_default_name(now_unix(), name, sizeof name);
        prompt_open_command(a);
        buf_printf(&a->input, "save %s", name);
        app_msg(a, APP_MSG_INFO,
                "Enter writes the snapshot there (edit the name first if you "
                "like; certdeck --offline FILE reopens it)");
        return;
    }
    struct stat st;
    if (stat(arg, &st) == 0) {
        app_msg(a, APP_MSG_ERROR, "not saved: %s %s", arg,
                S_ISDIR(st.st_mode) ? "is a directory" : "exists (pick another name)");
        return;
    }
    struct save_job *j = xcalloc(1, sizeof *j);
    j->store = a->store;
    j->path = xstrdup(arg);
    j->endpoint = xstrdup(api_client_endpoint(a->api));
    api_client_secret_id(a->api, j->secret_id, sizeof j->secret_id);
    /* Offline, the data is as old as the snapshot it came from. */
    const struct api_source *src = api_client_source(a->api);
    j->taken_unix = src ? src->as_of_unix : now_unix();
    j->hold = snapshot_hold_take(a->store);
    j->threaded = threads_create(&j->thread, save_thread, j) == 0;
    if (!j->threaded) {
        save_thread(j); /* no thread to be had: write it here */
        a->save = j;
        save_check(a);
        return;
    }
    a->save = j;
    app_msg(a, APP_MSG_INFO, "saving a snapshot to %s...", arg);
}

void save_check(struct app *a)
{
    struct save_job *j = a->save;
    if (!j || !atomic_load(&j->done)) return;
    if (j->threaded) pthread_join(j->thread, NULL);
    a->save = NULL;
    char line[1600];
    if (j->rc == 0) {
        char size[32];
        snapshot_size_text(j->stats.bytes, size, sizeof size);
        snprintf(line, sizeof line,
                 "saved %s (%s: %zu record%s, %zu detail%s, %zu event%s); reopen it with "
                 "certdeck --offline FILE",
                 j->path, size, j->stats.records, j->stats.records == 1 ? "" : "s",
                 j->stats.details, j->stats.details == 1 ? "" : "s", j->stats.events,
                 j->stats.events == 1 ? "" : "s");
        app_note_add(a, false, line);
        app_msg(a, APP_MSG_INFO, "%s", line);
    } else {
        snprintf(line, sizeof line, "not saved: %s", j->err);
        app_note_add(a, true, line);
        app_msg(a, APP_MSG_ERROR, "%s", line);
    }
    a->dirty = true;
    job_free(j);
}

void save_finish(struct app *a)
{
    struct save_job *j = a->save;
    if (!j) return;
    if (j->threaded) pthread_join(j->thread, NULL);
    a->save = NULL;
    job_free(j);
}
