/* `certdeck errors` and `certdeck retry --template`: the failed items of one run, paged in full
 * through the API client, grouped by core/errtmpl, printed through the batch sinks; and the
 * bulk retry of one template's items, each request sent once and its outcome said. */
#include "tui/cli/errors.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "core/csvout.h"
#include "core/errtmpl.h"
#include "core/model.h"
#include "core/sanitize.h"
#include "core/util.h"

/* The record's items and the template set of the chosen run. */
struct run_errors {
    struct detail_page page;
    size_t run; /* 0-based index into page.runs */
    struct errtmpl_set *set;
};

static void run_errors_clear(struct run_errors *re)
{
    model_detail_page_clear(&re->page);
    errtmpl_set_free(re->set);
    memset(re, 0, sizeof *re);
}

/* Fetches every item of the record and groups run `run` (0: the latest deploy). Returns 0, or
 * an exit code after printing why. */
static int load_run_errors(struct api_client *api, int64_t record_id, int run, int concurrency,
                           struct run_errors *re)
{
    memset(re, 0, sizeof *re);
    struct api_error err;
    if (api_detail_all(api, record_id, concurrency > 0 ? concurrency : 4, &re->page, NULL, &err) !=
        0) {
        batch_print_error(stderr, "DescribeHostUploadUpdateRecordDetail", &err);
        return apierr_exit_code(&err);
    }
    const struct detail_page *p = &re->page;
    if (run > 0) {
        if ((size_t)run > p->n_runs) {
            fprintf(stderr, "certdeck: record %lld has %zu run%s, not %d\n", (long long)record_id,
                    p->n_runs, p->n_runs == 1 ? "" : "s", run);
            return 1;
        }
        re->run = (size_t)run - 1;
    } else {
        size_t k = p->n_runs;
        while (k > 0 && p->runs[k - 1].type != MODEL_RUN_DEPLOY)
            k--;
        if (k == 0) {
            fprintf(stderr, "certdeck: record %lld has no deploy run\n", (long long)record_id);
            return 1;
        }
        re->run = k - 1;
    }
    re->set = errtmpl_set_new();
    errtmpl_set_add_run(re->set, &p->runs[re->run]);
    return 0;
}

static const char *join(char *const *v, size_t n, const char *sep, struct buf *b)
{
    buf_reset(b);
    for (size_t i = 0; i < n; i++) {
        if (i) buf_puts(b, sep);
        buf_puts(b, v[i]);
    }
    return b->data ? b->data : "";
}

static cJSON *string_array(char *const *v, size_t n)
{
    cJSON *a = cJSON_CreateArray();
    for (size_t i = 0; i < n; i++)
        cJSON_AddItemToArray(a, cJSON_CreateString(v[i]));
    return a;
}

static cJSON *errors_json(const struct errtmpl_group *g, size_t n)
{
    cJSON *root = cJSON_CreateArray();
    for (size_t i = 0; i < n; i++) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddNumberToObject(o, "Number", (double)(i + 1));
        cJSON_AddStringToObject(o, "Template", g[i].text);
        cJSON_AddNumberToObject(o, "Count", (double)g[i].count);
        cJSON_AddNumberToObject(o, "Failed", (double)g[i].failed);
        cJSON_AddNumberToObject(o, "RollbackFailed", (double)g[i].rollback_failed);
        cJSON_AddItemToObject(o, "ResourceTypes",
                              string_array(g[i].resource_types, g[i].n_resource_types));
        cJSON_AddItemToObject(o, "Regions", string_array(g[i].regions, g[i].n_regions));
        cJSON_AddStringToObject(o, "Example", g[i].example);
        cJSON *ids = cJSON_AddArrayToObject(o, "DetailIds");
        for (size_t k = 0; k < g[i].n_detail_ids; k++)
            cJSON_AddItemToArray(ids, cJSON_CreateNumber((double)g[i].detail_ids[k]));
        cJSON_AddItemToArray(root, o);
    }
    return root;
}

/* The rows are core/csvout's, so the TUI's e on the errors screen writes the same file. */
static void errors_csv(const struct errtmpl_group *g, size_t n, bool raw, FILE *out)
{
    batch_csv_out(out, csvout_errors_headers, CSVOUT_ERRORS_COLS, raw);
    struct csvout_scratch scratch = {0};
    for (size_t i = 0; i < n; i++) {
        const char *cells[CSVOUT_ERRORS_COLS];
        csvout_errors_cells(i + 1, &g[i], &scratch, cells);
        batch_csv_out(out, cells, CSVOUT_ERRORS_COLS, raw);
    }
    csvout_scratch_free(&scratch);
}

static void errors_table(const struct run_errors *re, int64_t record_id,
                         const struct errtmpl_group *g, size_t n, FILE *out)
{
    const struct deploy_run *run = &re->page.runs[re->run];
    const char *type = model_run_type_name(run->type);
    size_t items = errtmpl_set_items(re->set);
    fprintf(out, "Record %lld, run %zu (%s): %zu failed item%s, %zu template%s\n",
            (long long)record_id, re->run + 1, type ? type : "unknown type", items,
            items == 1 ? "" : "s", n, n == 1 ? "" : "s");
    if (n == 0) return;
    static const char *const headers[] = {"#",     "COUNT",   "SHARE",    "FAILED", "RB FAILED",
                                          "TYPES", "REGIONS", "TEMPLATE", "EXAMPLE"};
    static const int widths[] = {5, 7, 6, 7, 9, 24, 30, 70, 60};
    enum { NCOL = ARRAY_LEN(headers) };
    char **cells = xcalloc(n * NCOL, sizeof(char *));
    struct buf b = {0};
    for (size_t i = 0; i < n; i++) {
        char **row = cells + i * NCOL;
        row[0] = xasprintf("%zu", i + 1);
        row[1] = xasprintf("%zu", g[i].count);
        row[2] = xasprintf("%.1f%%", items ? 100.0 * (double)g[i].count / (double)items : 0.0);
        row[3] = xasprintf("%zu", g[i].failed);
        row[4] = xasprintf("%zu", g[i].rollback_failed);
        row[5] = xstrdup(join(g[i].resource_types, g[i].n_resource_types, ",", &b));
        row[6] = xstrdup(join(g[i].regions, g[i].n_regions, ",", &b));
        row[7] = xstrdup(g[i].text[0] ? g[i].text : "(no message)");
        row[8] = xstrdup(g[i].example);
    }
    batch_table_out(out, headers, widths, NCOL, (const char *const *)cells, n);
    for (size_t i = 0; i < n * NCOL; i++)
        free(cells[i]);
    free(cells);
    buf_free(&b);
}

int batch_errors(struct api_client *api, int64_t record_id, int run, const struct batch_options *o,
                 FILE *out)
{
    struct run_errors re;
    int rc = load_run_errors(api, record_id, run, o->concurrency, &re);
    if (rc != 0) {
        run_errors_clear(&re);
        return rc;
    }
    size_t n;
    const struct errtmpl_group *g = errtmpl_set_groups(re.set, &n);
    if (o->format == BATCH_JSON) {
        cJSON *root = errors_json(g, n);
        batch_json_out(out, root);
        cJSON_Delete(root);
    } else if (o->format == BATCH_CSV) {
        errors_csv(g, n, o->csv_raw, out);
    } else {
        errors_table(&re, record_id, g, n, out);
    }
    run_errors_clear(&re);
    return 0;
}

/* ---- bulk retry ------------------------------------------------------------------------- */

/* "retry 312 items of '…'? type 312 to confirm" on the terminal. */
static bool confirm_count(size_t count, const char *tmpl, bool yes)
{
    if (yes) return true;
    char *clean = sanitize_dup(tmpl[0] ? tmpl : "(no message)");
    bool ok = false;
    if (!isatty(STDIN_FILENO)) {
        fprintf(stderr,
                "certdeck: retry %zu items of '%s' — refusing without --yes (stdin is not a "
                "terminal)\n",
                count, clean);
    } else {
        fprintf(stderr, "retry %zu item%s of '%s'? type %zu to confirm: ", count,
                count == 1 ? "" : "s", clean, count);
        char line[64];
        if (fgets(line, sizeof line, stdin)) {
            char want[32];
            snprintf(want, sizeof want, "%zu", count);
            ok = strcmp(str_trim(line), want) == 0;
        }
        if (!ok) fprintf(stderr, "certdeck: not confirmed: nothing sent\n");
    }
    free(clean);
    return ok;
}

struct refusal {
    char code[128];
    size_t count;
};

static void count_refusal(struct refusal **v, size_t *n, const char *code)
{
    for (size_t i = 0; i < *n; i++)
        if (strcmp((*v)[i].code, code) == 0) {
            (*v)[i].count++;
            return;
        }
    *v = xrealloc(*v, (*n + 1) * sizeof **v);
    strlcpy_safe((*v)[*n].code, code, sizeof(*v)[*n].code);
    (*v)[*n].count = 1;
    (*n)++;
}

int batch_retry_template(struct api_client *api, int64_t record_id, int run, int template_n,
                         bool yes, FILE *out)
{
    struct run_errors re;
    int rc = load_run_errors(api, record_id, run, 4, &re);
    if (rc != 0) {
        run_errors_clear(&re);
        return rc;
    }
    size_t n;
    const struct errtmpl_group *groups = errtmpl_set_groups(re.set, &n);
    if (template_n < 1 || (size_t)template_n > n) {
        fprintf(stderr,
                "certdeck: record %lld, run %zu has %zu error template%s (see 'certdeck errors "
                "%lld'), not %d\n",
                (long long)record_id, re.run + 1, n, n == 1 ? "" : "s", (long long)record_id,
                template_n);
        run_errors_clear(&re);
        return 1;
    }
    const struct errtmpl_group *g = &groups[template_n - 1];
    if (!confirm_count(g->count, g->text, yes)) {
        run_errors_clear(&re);
        return 2;
    }

    size_t accepted = 0, refused = 0, sent = 0, unknown = 0;
    struct refusal *codes = NULL;
    size_t n_codes = 0;
    char line[1600];
    for (size_t i = 0; i < g->n_detail_ids && unknown == 0; i++) {
        uint64_t id = g->detail_ids[i];
        char rid[80] = "";
        struct api_error err;
        sent++;
        if (api_retry(api, -1, (int64_t)id, rid, sizeof rid, &err) == 0) {
            accepted++;
            char *clean = sanitize_dup(rid);
            fprintf(out, "item %llu: accepted (RequestId %s)\n", (unsigned long long)id, clean);
            free(clean);
        } else if (err.kind == APIERR_API) {
            refused++;
            count_refusal(&codes, &n_codes, err.code);
            fprintf(out, "item %llu: refused: %s\n", (unsigned long long)id,
                    apierr_format(&err, line, sizeof line));
        } else {
            /* the request may have reached the server: never send it again */
            unknown++;
            fprintf(out, "item %llu: unknown, check before retrying: %s\n", (unsigned long long)id,
                    apierr_format(&err, line, sizeof line));
        }
        fflush(out);
    }
    size_t not_sent = g->n_detail_ids - sent;
    fprintf(out, "sent %zu, accepted %zu, refused %zu", sent, accepted, refused);
    for (size_t i = 0; i < n_codes; i++) {
        char *clean = sanitize_dup(codes[i].code);
        fprintf(out, "%s%s ×%zu", i ? ", " : " (", clean, codes[i].count);
        free(clean);
    }
    fprintf(out, "%s, unknown %zu", n_codes ? ")" : "", unknown);
    if (not_sent)
        fprintf(out,
                ", not sent %zu (stopped after the unknown outcome; check, then run "
                "again)",
                not_sent);
    fputc('\n', out);
    free(codes);
    int result = accepted == g->n_detail_ids ? 0 : 1;
    run_errors_clear(&re); /* g belongs to re */
    return result;
}
