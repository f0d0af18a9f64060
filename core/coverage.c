/* Coverage of a renewal: RFC 6125 name matching and the domains of the latest record. */
#include "core/coverage.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/util.h"

/* Length without one trailing dot. */
static size_t name_len(const char *s)
{
    size_t n = strlen(s);
    return n && s[n - 1] == '.' ? n - 1 : n;
}

bool coverage_name_matches(const char *pattern, const char *domain)
{
    if (!pattern || !domain) return false;
    size_t pl = name_len(pattern), dl = name_len(domain);
    if (pl == 0 || dl == 0) return false;
    if (pl == dl && strncasecmp(pattern, domain, pl) == 0) return true;
    /* Only "*." + at least two labels is a wildcard; a domain that is a wildcard was compared
     * literally above. */
    if (pl < 2 || pattern[0] != '*' || pattern[1] != '.' || domain[0] == '*') return false;
    const char *rest = pattern + 2;
    size_t rl = pl - 2;
    const char *dot = memchr(rest, '.', rl);
    if (!dot || dot == rest || dot == rest + rl - 1) return false;
    if (memchr(rest, '*', rl)) return false;
    /* domain = one non-empty label + "." + rest */
    const char *first_dot = memchr(domain, '.', dl);
    if (!first_dot || first_dot == domain) return false;
    size_t tail = dl - (size_t)(first_dot + 1 - domain);
    return tail == rl && strncasecmp(first_dot + 1, rest, rl) == 0;
}

bool coverage_covered(const char *const *patterns, size_t n, const char *domain)
{
    for (size_t i = 0; i < n; i++)
        if (coverage_name_matches(patterns[i], domain)) return true;
    return false;
}

static bool type_wanted(const char *t, const char *const *types, size_t n_types)
{
    if (n_types == 0) return true;
    for (size_t i = 0; i < n_types; i++)
        if (t && strcasecmp(t, types[i]) == 0) return true;
    return false;
}

static void add_domain(struct coverage_deployed *out, const char *d)
{
    if (!d || !d[0]) return;
    size_t dl = name_len(d);
    for (size_t i = 0; i < out->n_domains; i++)
        if (name_len(out->domains[i]) == dl && strncasecmp(out->domains[i], d, dl) == 0) return;
    out->domains = xrealloc(out->domains, (out->n_domains + 1) * sizeof *out->domains);
    out->domains[out->n_domains++] = xstrdup(d);
}

void coverage_from_detail(const struct detail_page *d, const char *const *types, size_t n_types,
                          struct coverage_deployed *out)
{
    const struct deploy_run *run = NULL;
    for (size_t r = d->n_runs; r-- > 0;)
        if (d->runs[r].type == MODEL_RUN_DEPLOY) {
            run = &d->runs[r];
            break;
        }
    for (size_t g = 0; run && g < run->n_groups; g++) {
        const struct resource_group *grp = &run->groups[g];
        if (!type_wanted(grp->resource_type, types, n_types)) continue;
        for (size_t i = 0; i < grp->n_items; i++) {
            struct deploy_item scratch;
            const struct deploy_item *it = model_group_item(grp, i, &scratch);
            if (it->resource_type && !type_wanted(it->resource_type, types, n_types)) continue;
            out->n_resources++;
            for (size_t k = 0; k < it->n_domains; k++)
                add_domain(out, it->domains[k]);
        }
    }
}

int coverage_read_deployed(struct api_client *api, const char *old_cert_id,
                           const char *const *types, size_t n_types, struct coverage_deployed *out,
                           const atomic_int *cancel, struct api_error *err)
{
    memset(out, 0, sizeof *out);
    struct records_page recs = {0};
    if (api_records_all(api, old_cert_id, &recs, cancel, err) != 0) return -1;
    for (size_t i = 0; i < recs.n_records; i++) {
        const struct update_record *r = &recs.records[i];
        /* the filter is the server's: check it */
        if (r->old_cert_id && strcmp(r->old_cert_id, old_cert_id) == 0 && r->id > out->record_id)
            out->record_id = r->id;
    }
    model_records_page_clear(&recs);
    if (out->record_id == 0) return 0;
    struct detail_page d = {0};
    if (api_detail_all(api, (int64_t)out->record_id, 4, &d, cancel, err) != 0) return -1;
    coverage_from_detail(&d, types, n_types, out);
    model_detail_page_clear(&d);
    return 0;
}

void coverage_deployed_free(struct coverage_deployed *d)
{
    for (size_t i = 0; i < d->n_domains; i++)
        free(d->domains[i]);
    free(d->domains);
    memset(d, 0, sizeof *d);
}

size_t coverage_uncovered(const struct coverage_deployed *d, const char *const *patterns,
                          size_t n_patterns, size_t **out)
{
    size_t n = 0;
    *out = d->n_domains ? xcalloc(d->n_domains, sizeof **out) : NULL;
    for (size_t i = 0; i < d->n_domains; i++)
        if (!coverage_covered(patterns, n_patterns, d->domains[i])) (*out)[n++] = i;
    return n;
}

size_t coverage_preflight(struct preflight *pf, const struct coverage_deployed *dep, bool force,
                          const char *force_name, size_t **uncovered)
{
    *uncovered = NULL;
    if (!dep->record_id) {
        preflight_add(pf, "coverage", PREFLIGHT_WARN,
                      "no earlier update record of this certificate: nothing to compare");
        return 0;
    }
    if (!pf->have_leaf) return 0;
    size_t n =
        coverage_uncovered(dep, (const char *const *)pf->leaf.sans, pf->leaf.n_sans, uncovered);
    unsigned long long rec = (unsigned long long)dep->record_id;
    if (n == 0) {
        free(*uncovered);
        *uncovered = NULL;
        preflight_add(pf, "coverage", PREFLIGHT_OK,
                      "the SANs cover all %zu deployed domain%s of record %llu", dep->n_domains,
                      dep->n_domains == 1 ? "" : "s", rec);
        return 0;
    }
    if (force)
        preflight_add(pf, "coverage", PREFLIGHT_WARN,
                      "%zu domain%s deployed by record %llu %s not covered by the new "
                      "certificate's SANs (%s: going ahead)",
                      n, n == 1 ? "" : "s", rec, n == 1 ? "is" : "are", force_name);
    else
        preflight_add(pf, "coverage", PREFLIGHT_FAIL,
                      "%zu domain%s deployed by record %llu %s not covered by the new "
                      "certificate's SANs: refused (%s overrides)",
                      n, n == 1 ? "" : "s", rec, n == 1 ? "is" : "are", force_name);
    return n;
}
