/* The renewal pre-flight (core/preflight, core/coverage) on certificates generated here with
 * the OpenSSL API: a good chain, wrong order, stray and duplicate certificates, a key in the
 * certificate file, the wrong key, an encrypted key, an Ed25519 key, expired / not yet valid /
 * expiring soon, key file permissions, RFC 6125 wildcard matching and missing SANs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cmocka.h>

#include "certgen.h"
#include "core/coverage.h"
#include "core/preflight.h"
#include "core/util.h"
#include "testutil.h"

#define SANS "DNS:www.example.com,DNS:*.example.com,DNS:example.org"

/* The first check line named `name`, or NULL. */
static const struct preflight_check *check_named(const struct preflight *pf, const char *name)
{
    for (size_t i = 0; i < pf->n_checks; i++)
        if (strcmp(pf->checks[i].name, name) == 0) return &pf->checks[i];
    return NULL;
}

/* Chain then key, as the command runs them. */
static void run_pf(struct preflight *pf, const char *cert_pem, const char *key_pem)
{
    memset(pf, 0, sizeof *pf);
    preflight_chain(pf, cert_pem, strlen(cert_pem));
    if (key_pem) preflight_key(pf, key_pem, strlen(key_pem));
}

/* No message may quote any line of the key's PEM body. */
static void assert_no_key_text(const struct preflight *pf, const char *key_pem)
{
    char *copy = xstrdup(key_pem);
    for (char *line = strtok(copy, "\n"); line; line = strtok(NULL, "\n")) {
        if (strncmp(line, "-----", 5) == 0 || strlen(line) < 16) continue;
        for (size_t i = 0; i < pf->n_checks; i++)
            assert_null(strstr(pf->checks[i].message, line));
    }
    free(copy);
}

static void test_good_chain_and_key(void **state)
{
    (void)state;
    struct cg_chain c;
    cg_chain_make(&c, CG_EC, SANS, -3600, 90 * 86400);
    X509 *certs[] = {c.leaf, c.inter, c.root};
    char *pem = cg_pem_certs(certs, 3);
    char *key = cg_pem_key(c.leaf_key, NULL);
    struct preflight pf;
    run_pf(&pf, pem, key);
    assert_int_equal(preflight_validity(&pf, now_unix()), PREFLIGHT_OK);
    assert_int_equal(preflight_worst(&pf), PREFLIGHT_OK);
    assert_true(pf.have_leaf);
    assert_int_equal(pf.leaf.chain_len, 3);
    assert_non_null(strstr(pf.leaf.subject, "CN=www.example.com"));
    assert_int_equal(pf.leaf.n_sans, 3);
    assert_string_equal(pf.leaf.sans[1], "*.example.com");
    assert_int_equal(strlen(pf.leaf.fingerprint), 32 * 3 - 1);
    assert_int_equal(pf.leaf.fingerprint[2], ':');
    assert_non_null(strstr(check_named(&pf, "key")->message, "ECDSA"));
    assert_no_key_text(&pf, key);
    preflight_free(&pf);

    /* a lone leaf is a chain too */
    X509 *alone[] = {c.leaf};
    char *pem1 = cg_pem_certs(alone, 1);
    run_pf(&pf, pem1, key);
    assert_int_equal(preflight_worst(&pf), PREFLIGHT_OK);
    preflight_free(&pf);
    free(pem1);
    free(pem);
    free(key);
    cg_chain_free(&c);
}

static void test_wrong_order_names_the_fix(void **state)
{
    (void)state;
    struct cg_chain c;
    cg_chain_make(&c, CG_EC, SANS, -3600, 90 * 86400);
    X509 *certs[] = {c.inter, c.leaf, c.root};
    char *pem = cg_pem_certs(certs, 3);
    struct preflight pf;
    run_pf(&pf, pem, NULL);
    const struct preflight_check *ch = check_named(&pf, "chain");
    assert_int_equal(ch->level, PREFLIGHT_FAIL);
    assert_non_null(strstr(ch->message, "wrong order"));
    assert_non_null(strstr(ch->message, "the leaf must come first"));
    assert_non_null(strstr(ch->message, "#2 -> #1 -> #3"));
    /* the leaf is still found: the plan can show it */
    assert_non_null(strstr(pf.leaf.subject, "www.example.com"));
    preflight_free(&pf);
    free(pem);

    /* leaf first but root before intermediate */
    X509 *swapped[] = {c.leaf, c.root, c.inter};
    pem = cg_pem_certs(swapped, 3);
    run_pf(&pf, pem, NULL);
    ch = check_named(&pf, "chain");
    assert_int_equal(ch->level, PREFLIGHT_FAIL);
    assert_non_null(strstr(ch->message, "#1 CN=www.example.com is not signed by the next one"));
    assert_non_null(strstr(ch->message, "#1 -> #3 -> #2"));
    preflight_free(&pf);
    free(pem);
    cg_chain_free(&c);
}

static void test_stray_and_duplicate(void **state)
{
    (void)state;
    struct cg_chain c, other;
    cg_chain_make(&c, CG_EC, SANS, -3600, 90 * 86400);
    cg_chain_make(&other, CG_EC, "DNS:other.test", -3600, 90 * 86400);
    X509 *stray[] = {c.leaf, c.inter, other.inter};
    char *pem = cg_pem_certs(stray, 3);
    struct preflight pf;
    run_pf(&pf, pem, NULL);
    const struct preflight_check *ch = check_named(&pf, "chain");
    assert_int_equal(ch->level, PREFLIGHT_FAIL);
    assert_non_null(strstr(ch->message, "stray certificate #3"));
    assert_non_null(strstr(ch->message, "remove it"));
    preflight_free(&pf);
    free(pem);

    X509 *dup[] = {c.leaf, c.inter, c.inter};
    pem = cg_pem_certs(dup, 3);
    run_pf(&pf, pem, NULL);
    ch = check_named(&pf, "chain");
    assert_int_equal(ch->level, PREFLIGHT_FAIL);
    assert_non_null(strstr(ch->message, "#3 CN=certdeck Test Intermediate is a duplicate of #2"));
    preflight_free(&pf);
    free(pem);
    cg_chain_free(&c);
    cg_chain_free(&other);
}

static void test_unparsable_and_key_in_cert_file(void **state)
{
    (void)state;
    struct preflight pf;
    run_pf(&pf, "hello, not a certificate\n", NULL);
    assert_int_equal(preflight_worst(&pf), PREFLIGHT_FAIL);
    assert_non_null(strstr(check_named(&pf, "chain")->message, "no PEM certificate"));
    assert_false(pf.have_leaf);
    /* the key check cannot pass without a leaf */
    assert_int_equal(preflight_key(&pf, "x", 1), PREFLIGHT_FAIL);
    preflight_free(&pf);

    run_pf(&pf, "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n", NULL);
    assert_int_equal(preflight_worst(&pf), PREFLIGHT_FAIL);
    preflight_free(&pf);

    struct cg_chain c;
    cg_chain_make(&c, CG_EC, SANS, -3600, 90 * 86400);
    X509 *certs[] = {c.leaf};
    char *pem = cg_pem_certs(certs, 1);
    char *key = cg_pem_key(c.leaf_key, NULL);
    char *both = xasprintf("%s%s", pem, key);
    run_pf(&pf, both, NULL);
    const struct preflight_check *ch = check_named(&pf, "chain");
    assert_int_equal(ch->level, PREFLIGHT_FAIL);
    assert_non_null(strstr(ch->message, "is a private key"));
    assert_no_key_text(&pf, key);
    preflight_free(&pf);
    free(both);
    free(pem);
    free(key);
    cg_chain_free(&c);
}

static void test_wrong_key_and_rsa(void **state)
{
    (void)state;
    struct cg_chain c;
    cg_chain_make(&c, CG_RSA, SANS, -3600, 90 * 86400);
    X509 *certs[] = {c.leaf, c.inter};
    char *pem = cg_pem_certs(certs, 2);
    char *right = cg_pem_key(c.leaf_key, NULL);
    char *wrong = cg_pem_key(c.inter_key, NULL); /* last year's key, say */
    struct preflight pf;
    run_pf(&pf, pem, right);
    assert_int_equal(check_named(&pf, "key")->level, PREFLIGHT_OK);
    assert_non_null(strstr(check_named(&pf, "key")->message, "RSA 2048-bit"));
    preflight_free(&pf);

    run_pf(&pf, pem, wrong);
    const struct preflight_check *k = check_named(&pf, "key");
    assert_int_equal(k->level, PREFLIGHT_FAIL);
    assert_non_null(strstr(k->message, "does not belong to the leaf certificate"));
    assert_no_key_text(&pf, wrong);
    preflight_free(&pf);

    run_pf(&pf, pem, "not a key");
    assert_non_null(strstr(check_named(&pf, "key")->message, "no PEM private key"));
    preflight_free(&pf);
    free(pem);
    free(right);
    free(wrong);
    cg_chain_free(&c);
}

static void test_encrypted_and_unsupported_keys(void **state)
{
    (void)state;
    struct cg_chain c;
    cg_chain_make(&c, CG_EC, SANS, -3600, 90 * 86400);
    X509 *certs[] = {c.leaf, c.inter};
    char *pem = cg_pem_certs(certs, 2);
    char *enc = cg_pem_key(c.leaf_key, "s3cret-pass");
    assert_non_null(strstr(enc, "ENCRYPTED"));
    struct preflight pf;
    run_pf(&pf, pem, enc);
    const struct preflight_check *k = check_named(&pf, "key");
    assert_int_equal(k->level, PREFLIGHT_FAIL);
    assert_non_null(strstr(k->message, "encrypted: decrypt it first"));
    assert_no_key_text(&pf, enc);
    preflight_free(&pf);
    free(pem);
    free(enc);

    /* Ed25519: parses, matches, and is still refused by type */
    EVP_PKEY *ed = cg_key(CG_ED25519);
    struct cg_cert_opts o = {.cn = "ed.example.com", .sans = "DNS:ed.example.com"};
    X509 *x = cg_cert(ed, &o);
    pem = cg_pem_certs(&x, 1);
    char *key = cg_pem_key(ed, NULL);
    run_pf(&pf, pem, key);
    k = check_named(&pf, "key");
    assert_int_equal(k->level, PREFLIGHT_FAIL);
    assert_non_null(strstr(k->message, "only RSA and ECDSA"));
    preflight_free(&pf);
    free(pem);
    free(key);
    X509_free(x);
    EVP_PKEY_free(ed);
    cg_chain_free(&c);
}

static void test_validity(void **state)
{
    (void)state;
    struct {
        int64_t from, until;
        enum preflight_level want;
        const char *text;
    } cases[] = {
        {-30 * 86400, -86400, PREFLIGHT_FAIL, "expired on"},
        {7 * 86400, 90 * 86400, PREFLIGHT_FAIL, "not valid until"},
        {-3600, 10 * 86400 - 3600, PREFLIGHT_WARN, "expires in 9 days"},
        {-3600, 200 * 86400, PREFLIGHT_OK, "valid until"},
    };
    for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
        struct cg_chain c;
        cg_chain_make(&c, CG_EC, SANS, cases[i].from, cases[i].until);
        X509 *certs[] = {c.leaf, c.inter};
        char *pem = cg_pem_certs(certs, 2);
        struct preflight pf;
        run_pf(&pf, pem, NULL);
        assert_int_equal(preflight_validity(&pf, now_unix()), cases[i].want);
        const struct preflight_check *v = check_named(&pf, "validity");
        assert_int_equal(v->level, cases[i].want);
        if (!strstr(v->message, cases[i].text)) fail_msg("%zu: %s", i, v->message);
        preflight_free(&pf);
        free(pem);
        cg_chain_free(&c);
    }

    /* an expired intermediate is refused too, and named */
    EVP_PKEY *rk = cg_key(CG_EC), *ik = cg_key(CG_EC), *lk = cg_key(CG_EC);
    struct cg_cert_opts ro = {.cn = "Root", .ca = true};
    X509 *root = cg_cert(rk, &ro);
    struct cg_cert_opts io = {.cn = "Old Intermediate",
                              .ca = true,
                              .from_s = -400 * 86400,
                              .until_s = -2 * 86400,
                              .issuer = root,
                              .issuer_key = rk};
    X509 *inter = cg_cert(ik, &io);
    struct cg_cert_opts lo = {.cn = "leaf", .sans = SANS, .issuer = inter, .issuer_key = ik};
    X509 *leaf = cg_cert(lk, &lo);
    X509 *certs[] = {leaf, inter};
    char *pem = cg_pem_certs(certs, 2);
    struct preflight pf;
    run_pf(&pf, pem, NULL);
    assert_int_equal(preflight_validity(&pf, now_unix()), PREFLIGHT_FAIL);
    assert_non_null(strstr(check_named(&pf, "validity")->message, "#2 CN=Old Intermediate"));
    preflight_free(&pf);
    free(pem);
    X509_free(root);
    X509_free(inter);
    X509_free(leaf);
    EVP_PKEY_free(rk);
    EVP_PKEY_free(ik);
    EVP_PKEY_free(lk);
}

static void test_key_file_read_once_and_mode(void **state)
{
    (void)state;
    char *path = tu_path(tu_tmp, "key.pem");
    tu_write_file(path, "-----BEGIN PRIVATE KEY-----\nQUJD\n-----END PRIVATE KEY-----\n");
    chmod(path, 0644);
    struct preflight_secret s;
    mode_t mode = 0;
    char msg[256];
    assert_int_equal(preflight_read_file(path, &s, &mode, msg, sizeof msg), 0);
    assert_int_equal(mode, 0644);
    assert_int_equal(s.len, strlen(s.data));
    assert_non_null(strstr(s.data, "QUJD"));
    struct preflight pf;
    memset(&pf, 0, sizeof pf);
    assert_int_equal(preflight_key_mode(&pf, mode), PREFLIGHT_WARN);
    assert_non_null(strstr(pf.checks[0].message, "chmod 600"));
    assert_int_equal(preflight_key_mode(&pf, 0600), PREFLIGHT_OK);
    preflight_free(&pf);
    preflight_secret_wipe(&s);
    assert_null(s.data);
    assert_int_equal(s.len, 0);
    preflight_secret_wipe(&s); /* twice is fine */

    assert_int_equal(preflight_read_file(tu_tmp, &s, NULL, msg, sizeof msg), -1);
    assert_string_equal(msg, "not a regular file");
    char *missing = tu_path(tu_tmp, "missing.pem");
    assert_int_equal(preflight_read_file(missing, &s, NULL, msg, sizeof msg), -1);
    assert_non_null(strstr(msg, "cannot open"));
    free(missing);
    /* A FIFO is refused at once: opening it must not wait for a writer (it would hang the
     * TUI, whose renewal reads the files on its UI thread). */
    char *fifo = tu_path(tu_tmp, "fifo.pem");
    assert_int_equal(mkfifo(fifo, 0600), 0);
    assert_int_equal(preflight_read_file(fifo, &s, NULL, msg, sizeof msg), -1);
    assert_string_equal(msg, "not a regular file");
    free(fifo);
    free(path);
}

static void test_rfc6125_matching(void **state)
{
    (void)state;
    struct {
        const char *pattern, *domain;
        bool want;
    } cases[] = {
        {"www.example.com", "www.example.com", true},
        {"WWW.Example.COM", "www.example.com", true},
        {"www.example.com.", "www.example.com", true},
        {"*.example.com", "a.example.com", true},
        {"*.example.com", "A.EXAMPLE.COM.", true},
        {"*.example.com", "example.com", false},       /* one label, not zero */
        {"*.example.com", "a.b.example.com", false},   /* one label, not two */
        {"*.example.com", ".example.com", false},      /* not an empty label */
        {"*.com", "example.com", false},               /* at least two labels after */
        {"a.*.example.com", "a.b.example.com", false}, /* only the left-most label */
        {"f*.example.com", "foo.example.com", false},  /* partial wildcards are not honoured */
        {"*.example.com", "*.example.com", true},      /* a wildcard domain, the same wildcard */
        {"*.example.com", "*.a.example.com", false},
        {"a.example.com", "*.example.com", false},
        {"*.example.com", "a.example.org", false},
        {"", "", false},
    };
    for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
        if (coverage_name_matches(cases[i].pattern, cases[i].domain) != cases[i].want)
            fail_msg("%s vs %s: want %d", cases[i].pattern, cases[i].domain, cases[i].want);
    }
}

/* The domains of the last record's deploy run, of the types being updated, against the SANs of
 * a generated certificate: a missing SAN is listed, a wildcard covers one label. */
static void test_coverage_missing_san(void **state)
{
    (void)state;
    char *d1[] = {"www.example.com", "api.example.com"};
    char *d2[] = {"example.org", "shop.example.net", "WWW.example.com"};
    char *d3[] = {"deep.api.example.com"};
    char *d4[] = {"cdn-only.example.net"};
    struct deploy_item items[] = {
        {.id = 1, .domains = d1, .n_domains = 2, .resource_type = "clb"},
        {.id = 2, .domains = d2, .n_domains = 3, .resource_type = "clb"},
        {.id = 3, .domains = d3, .n_domains = 1, .resource_type = "clb"},
        {.id = 4, .domains = d4, .n_domains = 1, .resource_type = "cdn"},
    };
    struct resource_group groups[] = {{.resource_type = "clb", .items = items, .n_items = 3},
                                      {.resource_type = "cdn", .items = items + 3, .n_items = 1}};
    struct deploy_run runs[] = {{.type = MODEL_RUN_DEPLOY, .groups = groups, .n_groups = 2},
                                {.type = MODEL_RUN_ROLLBACK}};
    struct detail_page d = {.runs = runs, .n_runs = 2};

    struct cg_chain c;
    cg_chain_make(&c, CG_EC, SANS, -3600, 90 * 86400);
    char *pem = cg_pem_certs(&c.leaf, 1);
    struct preflight pf;
    run_pf(&pf, pem, NULL);

    const char *types[] = {"clb"};
    struct coverage_deployed dep = {0};
    coverage_from_detail(&d, types, 1, &dep);
    assert_int_equal(dep.n_resources, 3);
    assert_int_equal(dep.n_domains, 5); /* WWW.example.com is www.example.com */
    size_t *un = NULL;
    size_t n = coverage_uncovered(&dep, (const char *const *)pf.leaf.sans, pf.leaf.n_sans, &un);
    assert_int_equal(n, 2);
    assert_string_equal(dep.domains[un[0]], "shop.example.net");
    assert_string_equal(dep.domains[un[1]], "deep.api.example.com");
    free(un);
    coverage_deployed_free(&dep);

    /* every type: the cdn domain is missing too */
    coverage_from_detail(&d, NULL, 0, &dep);
    assert_int_equal(dep.n_resources, 4);
    n = coverage_uncovered(&dep, (const char *const *)pf.leaf.sans, pf.leaf.n_sans, &un);
    assert_int_equal(n, 3);
    free(un);

    /* The checklist's line: refused naming the way past it, or a warning when forced. */
    dep.record_id = 7;
    size_t n_local = pf.n_checks;
    assert_int_equal(coverage_preflight(&pf, &dep, false, "F", &un), 3);
    assert_int_equal(pf.n_checks, n_local + 1);
    assert_int_equal(pf.checks[n_local].level, PREFLIGHT_FAIL);
    assert_string_equal(pf.checks[n_local].name, "coverage");
    assert_non_null(strstr(pf.checks[n_local].message,
                           "3 domains deployed by record 7 are not covered by the new "
                           "certificate's SANs: refused (F overrides)"));
    free(un);
    assert_int_equal(coverage_preflight(&pf, &dep, true, "--force", &un), 3);
    assert_int_equal(pf.checks[n_local + 1].level, PREFLIGHT_WARN);
    assert_non_null(strstr(pf.checks[n_local + 1].message, "(--force: going ahead)"));
    free(un);
    coverage_deployed_free(&dep);
    struct coverage_deployed none = {.record_id = 0};
    assert_int_equal(coverage_preflight(&pf, &none, false, "F", &un), 0);
    assert_null(un);
    assert_int_equal(pf.checks[pf.n_checks - 1].level, PREFLIGHT_WARN);
    char *ok_domains[] = {"a.example.com", "www.example.com"};
    struct coverage_deployed covered = {.record_id = 9, .domains = ok_domains, .n_domains = 2};
    assert_int_equal(coverage_preflight(&pf, &covered, false, "F", &un), 0);
    assert_null(un);
    assert_int_equal(pf.checks[pf.n_checks - 1].level, PREFLIGHT_OK);
    assert_non_null(strstr(pf.checks[pf.n_checks - 1].message, "cover all 2 deployed domains"));
    preflight_free(&pf);
    free(pem);
    cg_chain_free(&c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_good_chain_and_key),
        cmocka_unit_test(test_wrong_order_names_the_fix),
        cmocka_unit_test(test_stray_and_duplicate),
        cmocka_unit_test(test_unparsable_and_key_in_cert_file),
        cmocka_unit_test(test_wrong_key_and_rsa),
        cmocka_unit_test(test_encrypted_and_unsupported_keys),
        cmocka_unit_test(test_validity),
        cmocka_unit_test_setup_teardown(test_key_file_read_once_and_mode, tu_tmp_setup,
                                        tu_tmp_teardown),
        cmocka_unit_test(test_rfc6125_matching),
        cmocka_unit_test(test_coverage_missing_san),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
