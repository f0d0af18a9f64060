/* Shared test helpers: see testutil.h. */
#include "testutil.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
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

        const struct deploy_item *it = &r->groups[0].items[0];
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
