/* Shared test helpers: see testutil.h. */
#include "testutil.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/codec.h"
#include "core/http.h"
#include "core/util.h"

/* ---- files ------------------------------------------------------------------------------ */

char *tu_mkdtemp(const char *tag)
{
    char *dir = xasprintf("/tmp/certdeck-%s-XXXXXX", tag);
    assert_non_null(mkdtemp(dir));
    return dir;
}

void tu_rm_rf(const char *path)
{
    struct stat sb;
    if (lstat(path, &sb) < 0) return;
    if (S_ISDIR(sb.st_mode)) {
        DIR *d = opendir(path);
        if (d) {
            struct dirent *e;
            while ((e = readdir(d))) {
                if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
                char *sub = tu_path(path, e->d_name);
                tu_rm_rf(sub);
                free(sub);
            }
            closedir(d);
        }
        rmdir(path);
    } else {
        unlink(path);
    }
}

char *tu_read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    struct buf b = {0};
    char chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        buf_append(&b, chunk, n);
    fclose(f);
    if (len) *len = b.len;
    return buf_steal(&b);
}

void tu_write_file(const char *path, const char *text)
{
    char *dir = xstrdup(path);
    for (char *p = dir + 1; *p; p++) {
        if (*p != '/') continue;
        *p = '\0';
        if (mkdir(dir, 0700) < 0) assert_int_equal(errno, EEXIST);
        *p = '/';
    }
    free(dir);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_true(fputs(text, f) >= 0);
    assert_int_equal(fclose(f), 0);
}

char *tu_path(const char *dir, const char *name)
{
    return xasprintf("%s/%s", dir, name);
}

char *tu_testdata(const char *name)
{
    const char *dir = getenv("CERTDECK_TESTDATA");
    return tu_path(dir ? dir : "tests/data", name);
}

char *tu_read_testdata(const char *name, size_t *len)
{
    char *path = tu_testdata(name);
    char *text = tu_read_file(path, len);
    if (!text) fail_msg("cannot read %s (set CERTDECK_TESTDATA)", path);
    free(path);
    return text;
}

/* ---- running the certdeck binary ------------------------------------------------------- */

struct tu_run tu_run_cli(const char *env, const char *lead, const char *fmt, ...)
{
    char outp[] = "/tmp/certdeck-run-out-XXXXXX", errp[] = "/tmp/certdeck-run-err-XXXXXX";
    int fo = mkstemp(outp), fe = mkstemp(errp);
    assert_true(fo >= 0 && fe >= 0);
    close(fo);
    close(fe);
    struct buf args = {0};
    va_list ap;
    va_start(ap, fmt);
    buf_vprintf(&args, fmt, ap);
    va_end(ap);
    const char *bin = getenv("CERTDECK_BIN");
    assert_non_null(bin);
    char *cmd = xasprintf("%s '%s' %s %s </dev/null >%s 2>%s", env ? env : "", bin,
                          lead ? lead : "", args.data ? args.data : "", outp, errp);
    int st = system(cmd);
    struct tu_run r = {WIFEXITED(st) ? WEXITSTATUS(st) : 128, tu_read_file(outp, NULL),
                       tu_read_file(errp, NULL)};
    assert_non_null(r.out);
    assert_non_null(r.err);
    unlink(outp);
    unlink(errp);
    free(cmd);
    buf_free(&args);
    return r;
}

void tu_run_free(struct tu_run *r)
{
    free(r->out);
    free(r->err);
    r->out = r->err = NULL;
}

/* ---- cmocka fixtures -------------------------------------------------------------------- */

char *tu_tmp;

int tu_tmp_setup(void **state)
{
    (void)state;
    tu_tmp = tu_mkdtemp("test");
    return 0;
}

int tu_home_setup(void **state)
{
    tu_tmp_setup(state);
    char *home = tu_path(tu_tmp, "home");
    assert_int_equal(mkdir(home, 0700), 0);
    setenv("HOME", home, 1);
    free(home);
    unsetenv("XDG_CONFIG_HOME");
    unsetenv("XDG_DATA_HOME");
    return 0;
}

int tu_tmp_teardown(void **state)
{
    (void)state;
    tu_rm_rf(tu_tmp);
    free(tu_tmp);
    tu_tmp = NULL;
    return 0;
}

/* ---- waiting ---------------------------------------------------------------------------- */

bool tu_poll_until(bool (*cond)(void *ctx), void *ctx, int64_t timeout_ms)
{
    int64_t deadline = now_ms() + timeout_ms;
    while (!cond(ctx)) {
        if (now_ms() >= deadline) return cond(ctx);
        sleep_ms(2);
    }
    return true;
}

static bool flag_set(void *flag)
{
    return atomic_load((atomic_int *)flag) != 0;
}

bool tu_wait_flag(atomic_int *flag, int64_t timeout_ms)
{
    return tu_poll_until(flag_set, flag, timeout_ms);
}

struct requests_seen {
    struct emu *e;
    uint64_t at_least;
};

static bool requests_seen(void *ctx)
{
    struct requests_seen *r = ctx;
    return emu_request_count(r->e) >= r->at_least;
}

bool tu_wait_requests(struct emu *e, uint64_t at_least, int64_t timeout_ms)
{
    struct requests_seen r = {e, at_least};
    return tu_poll_until(requests_seen, &r, timeout_ms);
}

/* ---- the emulator and a client ---------------------------------------------------------- */

void tu_loopback_init(void)
{
    setenv("no_proxy", "127.0.0.1,localhost", 1);
    setenv("NO_PROXY", "127.0.0.1,localhost", 1);
    http_global_init();
}

struct emu *tu_emu_start(const struct emu_config *cfg)
{
    struct emu_config defaults = {0};
    char err[512] = "";
    struct emu *e = emu_start(cfg ? cfg : &defaults, err, sizeof err);
    if (!e) fail_msg("emu_start: %s", err);
    return e;
}

struct api_client *tu_emu_client(struct emu *e, const struct api_config *cfg,
                                 const struct creds *cr)
{
    struct api_config c = {0};
    if (cfg) c = *cfg;
    if (!c.endpoint) c.endpoint = emu_url(e);
    struct creds demo;
    memset(&demo, 0, sizeof demo);
    strlcpy_safe(demo.secret_id, EMU_DEMO_SECRET_ID, sizeof demo.secret_id);
    strlcpy_safe(demo.secret_key, EMU_DEMO_SECRET_KEY, sizeof demo.secret_key);
    struct api_error err;
    apierr_clear(&err);
    struct api_client *client = api_client_new(&c, cr ? cr : &demo, &err);
    if (!client) fail_msg("api_client_new: %s", err.message);
    return client;
}

static char *dataset_dir;
char *tu_dataset_path;

void tu_dataset_setup(const char *tag, const char *json)
{
    tu_loopback_init();
    dataset_dir = tu_mkdtemp(tag);
    tu_dataset_path = tu_path(dataset_dir, "dataset.json");
    tu_write_file(tu_dataset_path, json);
}

int tu_dataset_teardown(void **state)
{
    (void)state;
    tu_rm_rf(dataset_dir);
    free(dataset_dir);
    free(tu_dataset_path);
    dataset_dir = tu_dataset_path = NULL;
    http_global_cleanup();
    return 0;
}

/* ---- a scripted loopback HTTP server ---------------------------------------------------- */

#define SCRIPT_MAX_CONNS 16

struct script_conn {
    int fd;
    struct buf in;
};

struct tu_script_server {
    int fd, port;
    int wake[2]; /* a byte here stops the thread */
    pthread_t thread;
    tu_script_answer_fn answer; /* or: */
    tu_script_conn_fn conn;
    void *ctx;
    pthread_mutex_t mu; /* guards what follows */
    int connections, requests;
    char last_head[4096];
    size_t last_body_len;
};

void tu_send_all(int fd, const void *p, size_t n)
{
    const char *s = p;
    while (n) {
        ssize_t w = send(fd, s, n, MSG_NOSIGNAL);
        if (w <= 0) return;
        s += w;
        n -= (size_t)w;
    }
}

size_t tu_content_length(const char *head, const char *end)
{
    static const char name[] = "\r\nContent-Length:";
    for (const char *p = head; p + sizeof name - 1 <= end; p++)
        if (strncasecmp(p, name, sizeof name - 1) == 0)
            return strtoul(p + sizeof name - 1, NULL, 10);
    return 0;
}

int tu_listen_loopback(int *port)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t sl = sizeof sa;
    if (fd < 0) return -1;
    if (bind(fd, (struct sockaddr *)&sa, sizeof sa) != 0 || listen(fd, 64) != 0 ||
        getsockname(fd, (struct sockaddr *)&sa, &sl) != 0) {
        close(fd);
        return -1;
    }
    *port = ntohs(sa.sin_port);
    return fd;
}

/* Reads what arrived on c and answers every complete request in it; false: close c. */
static bool script_read(struct tu_script_server *s, struct script_conn *c)
{
    char tmp[65536];
    ssize_t n = recv(c->fd, tmp, sizeof tmp, 0);
    if (n <= 0) return false;
    buf_append(&c->in, tmp, (size_t)n);
    for (;;) {
        char *end = c->in.data ? strstr(c->in.data, "\r\n\r\n") : NULL;
        if (!end) return true;
        size_t head_len = (size_t)(end - c->in.data) + 4;
        size_t clen = tu_content_length(c->in.data, end);
        if (c->in.len < head_len + clen) return true;
        pthread_mutex_lock(&s->mu);
        int index = s->requests++;
        strlcpy_safe(s->last_head, c->in.data,
                     head_len < sizeof s->last_head ? head_len + 1 : sizeof s->last_head);
        s->last_body_len = clen;
        pthread_mutex_unlock(&s->mu);
        char *body = c->in.data + head_len;
        char after = body[clen]; /* the next request's first byte, or the buffer's NUL */
        body[clen] = '\0';
        struct tu_script_request req = {c->in.data, head_len, body, clen, index};
        bool keep = s->answer(s->ctx, c->fd, &req);
        body[clen] = after;
        size_t rest = c->in.len - head_len - clen;
        memmove(c->in.data, c->in.data + head_len + clen, rest);
        c->in.len = rest;
        c->in.data[rest] = '\0';
        if (!keep) return false;
    }
}

static void *script_thread(void *arg)
{
    struct tu_script_server *s = arg;
    struct script_conn conns[SCRIPT_MAX_CONNS];
    size_t n = 0;
    for (;;) {
        struct pollfd pf[SCRIPT_MAX_CONNS + 2];
        pf[0] = (struct pollfd){s->wake[0], POLLIN, 0};
        /* When every slot is taken, new clients wait in the backlog. */
        pf[1] = (struct pollfd){n < SCRIPT_MAX_CONNS ? s->fd : -1, POLLIN, 0};
        for (size_t i = 0; i < n; i++)
            pf[i + 2] = (struct pollfd){conns[i].fd, POLLIN, 0};
        if (poll(pf, n + 2, -1) < 0) continue;
        if (pf[0].revents) break;
        for (size_t i = n; i-- > 0;) {
            if (!pf[i + 2].revents || script_read(s, &conns[i])) continue;
            close(conns[i].fd);
            buf_free(&conns[i].in);
            conns[i] = conns[--n];
        }
        if (!(pf[1].revents & POLLIN)) continue;
        int fd = accept(s->fd, NULL, NULL);
        if (fd < 0) continue;
        pthread_mutex_lock(&s->mu);
        s->connections++;
        pthread_mutex_unlock(&s->mu);
        /* A client that stops reading cannot block the thread for good. */
        struct timeval tv = {TU_DEADLINE_MS / 1000, 0};
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
        if (s->conn) {
            setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
            s->conn(s->ctx, fd);
            close(fd);
        } else {
            conns[n++] = (struct script_conn){fd, {0}};
        }
    }
    for (size_t i = 0; i < n; i++) {
        close(conns[i].fd);
        buf_free(&conns[i].in);
    }
    return NULL;
}

static struct tu_script_server *script_start(tu_script_answer_fn answer, tu_script_conn_fn conn,
                                             void *ctx)
{
    struct tu_script_server *s = xcalloc(1, sizeof *s);
    s->answer = answer;
    s->conn = conn;
    s->ctx = ctx;
    pthread_mutex_init(&s->mu, NULL);
    s->fd = tu_listen_loopback(&s->port);
    if (s->fd < 0) fail_msg("scripted server: cannot listen on 127.0.0.1: %s", strerror(errno));
    assert_int_equal(pipe(s->wake), 0);
    assert_int_equal(pthread_create(&s->thread, NULL, script_thread, s), 0);
    return s;
}

struct tu_script_server *tu_script_server_start(tu_script_answer_fn answer, void *ctx)
{
    return script_start(answer, NULL, ctx);
}

struct tu_script_server *tu_script_server_start_raw(tu_script_conn_fn conn, void *ctx)
{
    return script_start(NULL, conn, ctx);
}

void tu_script_server_stop(struct tu_script_server *s)
{
    if (!s) return;
    assert_int_equal(write(s->wake[1], "x", 1), 1);
    pthread_join(s->thread, NULL);
    close(s->fd);
    close(s->wake[0]);
    close(s->wake[1]);
    pthread_mutex_destroy(&s->mu);
    free(s);
}

int tu_script_server_port(const struct tu_script_server *s)
{
    return s->port;
}

char *tu_script_server_url(const struct tu_script_server *s)
{
    return xasprintf("http://127.0.0.1:%d", s->port);
}

void tu_script_server_counts(struct tu_script_server *s, int *connections, int *requests)
{
    pthread_mutex_lock(&s->mu);
    if (connections) *connections = s->connections;
    if (requests) *requests = s->requests;
    pthread_mutex_unlock(&s->mu);
}

void tu_script_server_reset(struct tu_script_server *s)
{
    pthread_mutex_lock(&s->mu);
    s->requests = 0;
    pthread_mutex_unlock(&s->mu);
}

size_t tu_script_server_last(struct tu_script_server *s, char *out, size_t n)
{
    pthread_mutex_lock(&s->mu);
    strlcpy_safe(out, s->last_head, n);
    size_t len = s->last_body_len;
    pthread_mutex_unlock(&s->mu);
    return len;
}

/* ---- shared assertions ------------------------------------------------------------------ */

const struct resource_group *tu_group_of(const struct store_detail *d, size_t run, const char *type)
{
    if (!d || run >= d->page.n_runs) return NULL;
    const struct deploy_run *r = &d->page.runs[run];
    for (size_t i = 0; i < r->n_groups; i++)
        if (r->groups[i].resource_type && strcmp(r->groups[i].resource_type, type) == 0)
            return &r->groups[i];
    return NULL;
}

cJSON *tu_detail_json(struct detail_page *p)
{
    char *rid = p->request_id;
    p->request_id = NULL;
    cJSON *j = codec_encode_detail_page(p);
    p->request_id = rid;
    return j;
}

void tu_assert_seed_detail(const struct detail_page *p)
{
    /* Transcribed from the seed page's example response. */
    static const struct {
        int64_t type, status;
        const char *created;
        uint64_t item_id;
        const char *item_created, *item_updated;
    } want[2] = {
        {MODEL_RUN_DEPLOY, MODEL_STATUS_SUCCESS, "2025-05-20 15:03:17", 57,
         "2025-05-20T07:03:17.000000Z", "2025-05-20T07:05:43.000000Z"},
        {MODEL_RUN_ROLLBACK, MODEL_STATUS_ROLLBACK_OK, "2025-05-20 15:18:58", 85,
         "2025-05-20T07:18:58.000000Z", "2025-05-20T07:23:17.000000Z"},
    };
    assert_int_equal(p->n_runs, 2);
    for (size_t k = 0; k < 2; k++) {
        const struct deploy_run *r = &p->runs[k];
        assert_int_equal(r->total_count, 1);
        assert_int_equal(r->success_total_count, 1);
        assert_int_equal(r->failed_total_count, 0);
        assert_int_equal(r->running_total_count, 0);
        assert_false(r->has_pending_total_count);
        assert_int_equal(r->type, want[k].type);
        assert_int_equal(r->status, want[k].status);
        assert_string_equal(r->create_time, want[k].created);
        assert_false(r->groups_null);
        assert_int_equal(r->n_groups, 1);
        assert_string_equal(r->groups[0].resource_type, "clb");
        assert_int_equal(r->groups[0].total_count, 1);
        assert_false(r->groups[0].list_null);
        assert_int_equal(r->groups[0].n_items, 1);

        const struct deploy_item *it = tu_item(&r->groups[0], 0);
        assert_true(it->id == want[k].item_id);
        assert_string_equal(it->old_cert_id, "OMhKAc35");
        assert_int_equal(it->status, 1);
        assert_string_equal(it->error_msg, "");
        assert_string_equal(it->create_time, want[k].item_created);
        assert_string_equal(it->update_time, want[k].item_updated);
        assert_string_equal(it->instance_id, "lb-9crou4ha");
        assert_string_equal(it->instance_name, "lb-677209fa-qP3T");
        assert_string_equal(it->listener_id, "lbl-dlu2mqpu");
        assert_string_equal(it->listener_name, "tencent");
        assert_false(it->domains_null);
        assert_int_equal(it->n_domains, 1);
        assert_string_equal(it->domains[0], "tencent.com,www.tencent.online,www.qq.com");
        assert_string_equal(it->protocol, "HTTPS");
        assert_int_equal(it->sni_switch, 0);
        assert_int_equal(it->forward, 1);
        assert_string_equal(it->ssl_mode, "UNIDIRECTIONAL");
        assert_string_equal(it->resource_type, "clb");
        assert_string_equal(it->region, "ap-guangzhou");
        assert_string_equal(it->bucket, "");
        assert_string_equal(it->namespace_, "");
        assert_string_equal(it->secret_name, "");
        assert_int_equal(it->port, 0);
    }
}

void tu_assert_diags(const char (*diags)[256], size_t n, const char *path, const char *const *want,
                     size_t n_want)
{
    if (n != n_want)
        for (size_t i = 0; i < n; i++)
            print_error("diag: %s\n", diags[i]);
    assert_int_equal(n, n_want);
    for (size_t i = 0; i < n_want; i++) {
        if (!want[i]) continue;
        char *w = xasprintf("%s:%s", path, want[i]);
        assert_string_equal(diags[i], w);
        free(w);
    }
}

const struct deploy_item *tu_item(const struct resource_group *g, size_t i)
{
    static struct deploy_item ring[16];
    static size_t next;
    assert_true(i < g->n_items);
    struct deploy_item *scratch = &ring[next++ % ARRAY_LEN(ring)];
    return model_group_item(g, i, scratch);
}
