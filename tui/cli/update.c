/* `certdeck update`: arguments, the pre-flight and its plan, the typed confirmation, the call
 * and the follow-up (see update.h). The checks themselves are core/preflight and
 * core/coverage; the call and the polling are core/renew. */
#include "tui/cli/update.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/coverage.h"
#include "core/preflight.h"
#include "core/renew.h"
#include "core/sanitize.h"
#include "core/util.h"
#include "tui/cli/batch.h"

enum { EXIT_OK = 0, EXIT_API = 1, EXIT_USAGE = 2 };

#define MAX_TYPES 32

struct type_regions {
    char *type;
    char **regions;
    size_t n_regions;
};

struct plan {
    char *types[MAX_TYPES];
    size_t n_types;
    struct type_regions tr[UPDATE_MAX_REGION_ARGS];
    size_t n_tr;
};

int update_add_regions(struct update_options *o, const char *arg)
{
    if (o->n_regions >= UPDATE_MAX_REGION_ARGS) return -1;
    o->regions[o->n_regions++] = arg;
    return 0;
}

static int usage(const char *fmt, const char *arg)
{
    char *clean = sanitize_dup(arg);
    fprintf(stderr, "certdeck: update: ");
    fprintf(stderr, fmt, clean);
    fprintf(stderr, "\nTry 'certdeck --help'.\n");
    free(clean);
    return EXIT_USAGE;
}

static void plan_free(struct plan *p)
{
    for (size_t i = 0; i < p->n_types; i++)
        free(p->types[i]);
    for (size_t i = 0; i < p->n_tr; i++) {
        free(p->tr[i].type);
        for (size_t k = 0; k < p->tr[i].n_regions; k++)
            free(p->tr[i].regions[k]);
        free(p->tr[i].regions);
    }
}

static int parse_plan(const struct update_options *o, struct plan *p)
{
    if (renew_split_words(o->types, p->types, MAX_TYPES, &p->n_types) != 0)
        return usage("--types takes resource types such as clb,waf (lowercase), not '%s'",
                     o->types);
    for (size_t i = 0; i < o->n_regions; i++) {
        const char *colon = strchr(o->regions[i], ':');
        if (!colon) return usage("--regions takes TYPE:REGION[,REGION…], not '%s'", o->regions[i]);
        struct type_regions *tr = &p->tr[p->n_tr++];
        tr->type = xstrndup(o->regions[i], (size_t)(colon - o->regions[i]));
        bool known = false;
        for (size_t k = 0; k < p->n_types; k++)
            if (strcmp(p->types[k], tr->type) == 0) known = true;
        if (!known) return usage("--regions names a type that is not in --types: '%s'", tr->type);
        char *words[64];
        size_t n = 0;
        if (renew_split_words(colon + 1, words, ARRAY_LEN(words), &n) != 0)
            return usage("--regions takes region names such as ap-guangzhou, not '%s'", colon + 1);
        tr->regions = xcalloc(n, sizeof *tr->regions);
        memcpy(tr->regions, words, n * sizeof *words);
        tr->n_regions = n;
    }
    return 0;
}

/* ---- the plan ---------------------------------------------------------------------------- */

static void print_time(FILE *out, int64_t t)
{
    char buf[64];
    time_t tt = (time_t)t;
    struct tm tm;
    gmtime_r(&tt, &tm);
    strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S UTC", &tm);
    fputs(buf, out);
}

static const char *level_tag(enum preflight_level l)
{
    return l == PREFLIGHT_OK ? "[ok]  " : l == PREFLIGHT_WARN ? "[warn]" : "[FAIL]";
}

static void print_plan(FILE *out, const char *old_cert, const struct plan *p,
                       const struct preflight *pf, const struct coverage_deployed *dep,
                       const size_t *uncovered, size_t n_uncovered)
{
    char *cert = sanitize_dup(old_cert);
    fprintf(out, "Renewal plan\n");
    fprintf(out, "  %-17s %s\n", "old certificate:", cert);
    free(cert);
    if (pf->have_leaf) {
        const struct preflight_leaf *l = &pf->leaf;
        fprintf(out, "  %-17s %s\n", "new subject:", l->subject);
        fprintf(out, "  %-17s ", "SANs:");
        for (size_t i = 0; i < l->n_sans; i++)
            fprintf(out, "%s%s", i ? ", " : "", l->sans[i]);
        fprintf(out, "%s\n", l->n_sans ? "" : "(none)");
        fprintf(out, "  %-17s ", "not after:");
        print_time(out, l->not_after);
        fprintf(out, "\n  %-17s %s\n", "SHA-256:", l->fingerprint);
        fprintf(out, "  %-17s %zu certificate%s\n", "chain:", l->chain_len,
                l->chain_len == 1 ? "" : "s");
    }
    fprintf(out, "  %-17s ", "types:");
    for (size_t i = 0; i < p->n_types; i++)
        fprintf(out, "%s%s", i ? ", " : "", p->types[i]);
    fprintf(out, "\n  %-17s ", "regions:");
    if (!p->n_tr) fprintf(out, "not restricted");
    for (size_t i = 0; i < p->n_tr; i++) {
        fprintf(out, "%s%s:", i ? "; " : "", p->tr[i].type);
        for (size_t k = 0; k < p->tr[i].n_regions; k++)
            fprintf(out, "%s%s", k ? "," : " ", p->tr[i].regions[k]);
    }
    fprintf(out, "\n");
    if (dep && dep->record_id)
        fprintf(out, "  %-17s record %llu touched %zu resource%s of these types (%zu domain%s)\n",
                "last update:", (unsigned long long)dep->record_id, dep->n_resources,
                dep->n_resources == 1 ? "" : "s", dep->n_domains, dep->n_domains == 1 ? "" : "s");
    else if (dep)
        fprintf(out, "  %-17s none: this certificate has no update record\n", "last update:");
    fprintf(out, "Pre-flight\n");
    for (size_t i = 0; i < pf->n_checks; i++)
        fprintf(out, "  %s %-9s %s\n", level_tag(pf->checks[i].level), pf->checks[i].name,
                pf->checks[i].message);
    for (size_t i = 0; i < n_uncovered; i++) {
        char *d = sanitize_dup(dep->domains[uncovered[i]]);
        fprintf(out, "         not covered: %s\n", d);
        free(d);
    }
    fflush(out);
}

/* ---- the pre-flight ---------------------------------------------------------------------- */

/* Runs every check; the key's bytes live only in *key (the caller wipes it). Returns -1 after
 * printing a usage or API problem (exit code in *rc). */
static int run_preflight(struct api_client *api, const struct update_options *o,
                         const struct plan *p, struct preflight *pf, struct preflight_secret *cert,
                         struct preflight_secret *key, int *rc)
{
    char msg[256];
    mode_t mode = 0;
    if (preflight_read_file(o->cert_file, cert, NULL, msg, sizeof msg) != 0) {
        *rc = usage("--cert %s", msg);
        return -1;
    }
    if (preflight_read_file(o->key_file, key, &mode, msg, sizeof msg) != 0) {
        *rc = usage("--key %s", msg);
        return -1;
    }
    preflight_chain(pf, cert->data, cert->len);
    preflight_key(pf, key->data, key->len);
    preflight_key_mode(pf, mode);
    if (pf->have_leaf) preflight_validity(pf, now_unix());

    struct coverage_deployed dep;
    struct api_error err;
    if (coverage_read_deployed(api, o->old_cert, (const char *const *)p->types, p->n_types, &dep,
                               NULL, &err) != 0) {
        print_plan(stdout, o->old_cert, p, pf, NULL, NULL, 0);
        batch_print_error(stderr, "reading the certificate's last update record", &err);
        *rc = apierr_exit_code(&err);
        return -1;
    }
    size_t *un = NULL;
    size_t n_un = coverage_preflight(pf, &dep, o->force, "--force", &un);
    print_plan(stdout, o->old_cert, p, pf, &dep, un, n_un);
    free(un);
    coverage_deployed_free(&dep);
    return 0;
}

/* ---- confirmation, the call, the follow-up ----------------------------------------------- */

static bool confirm_typed(const char *old_cert)
{
    if (!isatty(STDIN_FILENO)) {
        fprintf(stderr, "certdeck: update: refusing without --yes (stdin is not a terminal)\n");
        return false;
    }
    char *shown = sanitize_dup(old_cert);
    fprintf(stderr, "Type the old certificate ID (%s) to push the new certificate: ", shown);
    free(shown);
    char line[256];
    if (!fgets(line, sizeof line, stdin)) return false;
    if (strcmp(str_trim(line), old_cert) == 0) return true;
    fprintf(stderr, "certdeck: update: the ID did not match; nothing was sent\n");
    return false;
}

static void on_creating(void *ctx, int call, const struct upload_result *r, int64_t next_wait_ms)
{
    (void)ctx;
    fprintf(stderr, "certdeck: the task is being created (call %d)", call);
    if (next_wait_ms >= 0) fprintf(stderr, ", asking again in %lld ms", (long long)next_wait_ms);
    fputc('\n', stderr);
    for (size_t i = 0; i < r->n_progress; i++) {
        const struct sync_progress *sp = &r->progress[i];
        char *t = sanitize_dup(sp->resource_type);
        for (size_t k = 0; k < sp->n_regions; k++) {
            const struct sync_progress_region *rg = &sp->regions[k];
            char *name = sanitize_dup(rg->region);
            fprintf(stderr, "  sync %s %s: ", t, name);
            if (rg->has_total_count && rg->has_offset_count)
                fprintf(stderr, "%lld/%lld", (long long)rg->offset_count,
                        (long long)rg->total_count);
            else
                fprintf(stderr, "counting");
            fprintf(stderr, " (%s)\n",
                    rg->status == 1   ? "done"
                    : rg->status == 3 ? "processing"
                                      : "pending");
            free(name);
        }
        if (!sp->n_regions) fprintf(stderr, "  sync %s: status %lld\n", t, (long long)sp->status);
        free(t);
    }
}

struct follow_ctx {
    uint64_t record_id;
    bool tty;
    bool drew;
};

static void on_change(void *ctx, const struct renew_progress *p)
{
    struct follow_ctx *f = ctx;
    char status[32];
    fprintf(stderr, "%srecord %llu: %lld/%lld done, %lld failed, %lld deploying, %lld pending — %s",
            f->tty ? "\r\033[K" : "", (unsigned long long)f->record_id, (long long)p->success,
            (long long)p->total, (long long)p->failed, (long long)p->running, (long long)p->pending,
            model_status_label(p->status, status, sizeof status));
    if (!f->tty || p->finished) fputc('\n', stderr);
    f->drew = true;
    fflush(stderr);
}

static void print_maybe_applied(const char *old_cert)
{
    char *c = sanitize_dup(old_cert);
    fprintf(stderr,
            "certdeck: the request may have been applied; check with `certdeck records "
            "--old-cert %s`\n",
            c);
    free(c);
}

static int submit_and_follow(struct api_client *api, const struct update_options *o,
                             const struct plan *p, struct preflight_secret *cert,
                             struct preflight_secret *key)
{
    struct upload_type_regions trs[UPDATE_MAX_REGION_ARGS];
    for (size_t i = 0; i < p->n_tr; i++)
        trs[i] = (struct upload_type_regions){p->tr[i].type, (const char *const *)p->tr[i].regions,
                                              p->tr[i].n_regions};
    struct upload_request req = {.old_certificate_id = o->old_cert,
                                 .resource_types = (const char *const *)p->types,
                                 .n_resource_types = p->n_types,
                                 .public_key_pem = cert->data,
                                 .private_key_pem = key->data,
                                 .type_regions = trs,
                                 .n_type_regions = p->n_tr};
    struct renew_submit_opts so = {.on_creating = on_creating};
    struct renew_submit_result res;
    renew_submit(api, &req, &so, &res);
    /* The key is not needed after the call, whatever its outcome. */
    preflight_secret_wipe(key);

    char line[1600];
    switch (res.outcome) {
    case RENEW_CREATED:
        break;
    case RENEW_RUNNING:
        fprintf(stderr,
                "certdeck: an update task for this certificate is already running: record %llu; "
                "nothing new was created (follow it with `certdeck detail %llu`)\n",
                (unsigned long long)res.record_id, (unsigned long long)res.record_id);
        printf("running record: %llu\n", (unsigned long long)res.record_id);
        return EXIT_API;
    case RENEW_STILL_CREATING:
        fprintf(stderr, "certdeck: the task was still being created after %d calls (%s)\n",
                res.calls, res.err.kind ? apierr_format(&res.err, line, sizeof line) : "limit");
        print_maybe_applied(o->old_cert);
        return EXIT_API;
    case RENEW_REFUSED:
        batch_print_error(stderr, "UploadUpdateCertificateInstance", &res.err);
        fprintf(stderr, "certdeck: nothing was applied\n");
        return apierr_exit_code(&res.err);
    case RENEW_UNKNOWN:
        batch_print_error(stderr, "UploadUpdateCertificateInstance", &res.err);
        print_maybe_applied(o->old_cert);
        return apierr_exit_code(&res.err);
    }
    printf("new record: %llu\n", (unsigned long long)res.record_id);
    fflush(stdout);
    if (o->no_wait) return EXIT_OK;

    struct follow_ctx f = {res.record_id, isatty(STDERR_FILENO) == 1, false};
    struct renew_follow_opts fo = {
        .interval_ms = o->follow_interval_ms, .on_change = on_change, .ctx = &f};
    struct renew_progress last;
    struct api_error err;
    if (renew_follow(api, res.record_id, &fo, &last, &err) != 0) {
        if (f.tty && f.drew) fputc('\n', stderr);
        batch_print_error(stderr, "following the record", &err);
        return apierr_exit_code(&err);
    }
    char status[32];
    printf("record %llu: %s (%lld of %lld succeeded, %lld failed)\n",
           (unsigned long long)res.record_id,
           model_status_label(last.status, status, sizeof status), (long long)last.success,
           (long long)last.total, (long long)last.failed);
    return last.status == MODEL_STATUS_SUCCESS ? EXIT_OK : UPDATE_EXIT_NOT_SUCCEEDED;
}

int update_run(struct api_client *api, const struct update_options *o)
{
    if (!o->old_cert || !o->old_cert[0])
        return usage("needs --old-cert ID (the certificate whose resources get the new one)%s", "");
    if (!o->cert_file || !o->key_file || !o->types)
        return usage("needs --cert FILE, --key FILE and --types TYPE[,TYPE…]%s", "");
    if (o->read_only && !o->check) return usage("refused: --read-only is set%s", "");
    struct plan p;
    memset(&p, 0, sizeof p);
    int rc = parse_plan(o, &p);
    if (rc) {
        plan_free(&p);
        return rc;
    }
    struct preflight pf;
    memset(&pf, 0, sizeof pf);
    struct preflight_secret cert = {0}, key = {0};
    if (run_preflight(api, o, &p, &pf, &cert, &key, &rc) != 0) goto done;

    if (preflight_worst(&pf) == PREFLIGHT_FAIL) {
        fprintf(stderr, "certdeck: update: the pre-flight failed; nothing was sent\n");
        rc = UPDATE_EXIT_NOT_SUCCEEDED;
        goto done;
    }
    if (o->check) {
        rc = EXIT_OK;
        goto done;
    }
    if (!o->yes && !confirm_typed(o->old_cert)) {
        rc = EXIT_USAGE;
        goto done;
    }
    rc = submit_and_follow(api, o, &p, &cert, &key);
done:
    preflight_secret_wipe(&key);
    preflight_secret_wipe(&cert);
    preflight_free(&pf);
    plan_free(&p);
    return rc;
}
