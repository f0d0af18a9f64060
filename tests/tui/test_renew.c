/* U, the renewal in the TUI, against the emulator: the files asked for with Tab completion, the
 * pre-flight checklist, the typed certificate ID, the one call and the new record opened; a
 * wrong key stops it before any write; read-only refuses it; a task already running is named
 * and opened; uncovered domains need F. Certificates are made here with OpenSSL, from fixed key
 * material and times so the checklist's goldens stay the same; the private key's lines must
 * show up on no screen, in no note and in no file the session writes. Also the path
 * completion itself (tui/pathcomp.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "certgen.h"
#include "core/http.h"
#include "core/util.h"
#include "testutil.h"
#include "tui/harness.h"
#include "tui/pathcomp.h"

/* The leaf's key, fixed so the certificate (and its fingerprint) is the same on every run. */
static const char leaf_key_pem[] =
    "-----BEGIN PRIVATE KEY-----\n"
    "MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgCNB2wPDRu52yQN+Z\n"
    "K+geV+OiS2d/Tg7LDjr+WyKzRDOhRANCAARgNB+6HFM8pMu+pCWFs2f2wGeQTWCi\n"
    "9Uy+eKn5Ia2gQ7wEA/23F3nH5K7lMKThpIBO8kJ7bn2Vuxtpy6mhP9/q\n"
    "-----END PRIVATE KEY-----\n";

/* Ed25519 signs deterministically: a CA from a fixed seed issues the same bytes every run. */
static EVP_PKEY *ed25519_from_seed(unsigned char seed)
{
    unsigned char raw[32];
    memset(raw, seed, sizeof raw);
    EVP_PKEY *k = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL, raw, sizeof raw);
    assert_non_null(k);
    return k;
}

static EVP_PKEY *fixed_leaf_key(void)
{
    BIO *b = BIO_new_mem_buf(leaf_key_pem, -1);
    EVP_PKEY *k = PEM_read_bio_PrivateKey(b, NULL, NULL, NULL);
    BIO_free(b);
    assert_non_null(k);
    return k;
}

static char *tmp_file(const char *name, const char *text, mode_t mode)
{
    char *p = tu_path(tu_tmp, name);
    tu_write_file(p, text);
    assert_int_equal(chmod(p, mode), 0);
    return p;
}

/* Writes cert.pem (the leaf for sans, then its intermediate) and key.pem (mode 0600) into the
 * test's temp dir: valid from a day before the emulator's pinned clock to 90 days and 12 hours
 * after it. Also wrong.pem, another EC key. */
static void write_files(const char *sans)
{
    EVP_PKEY *root_key = ed25519_from_seed(1), *inter_key = ed25519_from_seed(2);
    EVP_PKEY *leaf_key = fixed_leaf_key();
    int64_t from = TH_PINNED_UNIX - 86400, until = TH_PINNED_UNIX + 90 * 86400 + 12 * 3600;
    struct cg_cert_opts ro = {.cn = "certdeck Test Root",
                              .ca = true,
                              .serial = 1,
                              .not_before_unix = from - 86400,
                              .not_after_unix = until + 365 * 86400};
    X509 *root = cg_cert(root_key, &ro);
    struct cg_cert_opts io = {.cn = "certdeck Test Intermediate",
                              .ca = true,
                              .issuer = root,
                              .issuer_key = root_key,
                              .serial = 2,
                              .not_before_unix = from - 86400,
                              .not_after_unix = until + 365 * 86400};
    X509 *inter = cg_cert(inter_key, &io);
    struct cg_cert_opts lo = {.cn = "www.example.com",
                              .sans = sans,
                              .issuer = inter,
                              .issuer_key = inter_key,
                              .serial = 3,
                              .not_before_unix = from,
                              .not_after_unix = until};
    X509 *leaf = cg_cert(leaf_key, &lo);
    X509 *chain[] = {leaf, inter};
    char *pem = cg_pem_certs(chain, 2);
    free(tmp_file("cert.pem", pem, 0644));
    free(pem);
    free(tmp_file("key.pem", leaf_key_pem, 0600));
    EVP_PKEY *other = cg_key(CG_EC);
    pem = cg_pem_key(other, NULL);
    free(tmp_file("wrong.pem", pem, 0600));
    free(pem);
    EVP_PKEY_free(other);
    X509_free(leaf);
    X509_free(inter);
    X509_free(root);
    EVP_PKEY_free(leaf_key);
    EVP_PKEY_free(inter_key);
    EVP_PKEY_free(root_key);
}

#define GOOD_SANS   "DNS:www.example.com,DNS:*.example.com"
#define NARROW_SANS "DNS:www.example.com"

/* No line of the leaf key's PEM (nor of wrong.pem) occurs in text. */
static void assert_no_key(const char *what, const char *text)
{
    char *wrong_path = tu_path(tu_tmp, "wrong.pem");
    char *wrong = tu_read_file(wrong_path, NULL);
    free(wrong_path);
    const char *keys[] = {leaf_key_pem, wrong ? wrong : ""};
    for (size_t k = 0; k < ARRAY_LEN(keys); k++) {
        char *copy = xstrdup(keys[k]);
        for (char *line = strtok(copy, "\n"); line; line = strtok(NULL, "\n")) {
            if (strlen(line) < 12 || strstr(line, "-----")) continue;
            if (strstr(text, line)) fail_msg("%s holds a private key's line", what);
        }
        free(copy);
    }
    free(wrong);
}

/* Every file under dir (the saved displays, the state dir's histories) is free of the key. */
static void assert_no_key_in_tree(const char *dir)
{
    DIR *d = opendir(dir);
    assert_non_null(d);
    for (struct dirent *e; (e = readdir(d)) != NULL;) {
        if (e->d_name[0] == '.') continue;
        char *p = tu_path(dir, e->d_name);
        struct stat st;
        if (stat(p, &st) == 0 && S_ISDIR(st.st_mode)) {
            assert_no_key_in_tree(p);
        } else if (strcmp(e->d_name, "key.pem") && strcmp(e->d_name, "wrong.pem")) {
            char *text = tu_read_file(p, NULL);
            if (text) assert_no_key(p, text);
            free(text);
        }
        free(p);
    }
    closedir(d);
}

/* The records of the emulator's account, through the api (for "no write arrived"). */
static uint64_t record_count(struct api_client *api)
{
    struct records_page page = {0};
    struct records_query q = {.limit = 100};
    struct api_error err;
    assert_int_equal(api_describe_records(api, &q, &page, NULL, &err), 0);
    uint64_t n = page.total_count;
    model_records_page_clear(&page);
    return n;
}

/* The answers to the three prompts: the chain and the key by Tab completion, the types as
 * proposed (the record's). */
#define ANSWER_PROMPTS                                                                             \
    "keys @/ce\n"                                                                                  \
    "key Tab\n"                                                                                    \
    "save-display @/prompt_cert.txt\n"                                                             \
    "key Enter\n"                                                                                  \
    "keys @/k\n"                                                                                   \
    "key Tab\n"                                                                                    \
    "key Enter\n"                                                                                  \
    "save-display @/prompt_types.txt\n"                                                            \
    "key Enter\n"                                                                                  \
    "wait-idle\n"

/* Record 201 (Renew01: www, api and shop.example.com on two CLB listeners) renewed with a
 * certificate for www and *.example.com: every check passes, the ID typed, one task created
 * (the emulator answers DeployRecordId 0 first) and record 203 opened. */
static void test_renew_creates_and_opens_the_record(void **state)
{
    (void)state;
    write_files(GOOD_SANS);
    struct th_scenario s = {.dataset = "dataset_renewal.json",
                            .cols = 120,
                            .lines = 40,
                            .script = "wait-idle\n"
                                      "key j\n"
                                      "key U\n"
                                      "save-display @/prompt_open.txt\n" ANSWER_PROMPTS
                                      "save-display @/renew_ok_120x40.txt\n"
                                      "key U\n"
                                      "save-display @/confirm.txt\n"
                                      "resize 80 24\n"
                                      "save-display @/renew_ok_80x24.txt\n"
                                      "keys Renew01\n"
                                      "key Enter\n"
                                      "wait-idle\n"
                                      "save-display @/created.txt\n"
                                      "resize 120 40\n"
                                      "key L\n"
                                      "save-display @/log.txt\n"};
    struct th_env env;
    th_env_start(&env, &s);
    char *text = th_expand(s.script);
    char *sp = tu_path(tu_tmp, "script");
    tu_write_file(sp, text);
    free(text);
    assert_int_equal(th_app_run(env.api, &s, sp), 0);
    free(sp);
    assert_int_equal(record_count(env.api), 3);
    th_env_stop(&env);

    char *dir = xasprintf("%s/", tu_tmp);
    char *cert_line = xasprintf("new certificate chain (PEM file): %scert.pem", dir);
    struct th_expect want[] = {
        {"prompt_open",
         .has = {"new certificate chain (PEM file):", "renewing certificate Renew01"}},
        {"prompt_cert", .has = {cert_line}},
        {"prompt_types", .has = {"resource types: clb"}},
        {"renew_ok_120x40", .has = {"Renewal of certificate Renew01 (from record #201)",
                                    "the SANs cover all 3 deployed domains of record 201",
                                    "record 201 touched 2 resources of these types (3 domains)",
                                    "U pushes the new certificate; you type Renew01 to confirm."}},
        {"confirm", .has = {"Push the new certificate to the clb resources of certificate Renew01?",
                            "Type Renew01 to confirm:"}},
        {"created", .has = {"#203", "record #203 created"}, .lacks = {"renew Renew01"}},
        {"log",
         .has = {"UploadUpdateCertificateInstance", "note", "renewal of certificate Renew0"}},
    };
    th_check_displays(want, ARRAY_LEN(want));
    char *t = th_display("renew_ok_120x40");
    th_assert_contains(
        t, "\xe2\x9c\x93 chain     2 certificates, leaf first, each signed by the next");
    th_assert_contains(t, "\xe2\x9c\x93 key       ECDSA 256-bit key matches the leaf");
    th_assert_contains(t, "\xe2\x9c\x93 key file  readable by its owner only (mode 0600)");
    th_assert_contains(t, "\xe2\x9c\x93 coverage");
    free(t);
    /* The two calls (0, then the record) are in the event log; nothing holds the key. */
    t = th_display("log");
    const char *first = strstr(t, "UploadUpdateCertificateInstance");
    assert_non_null(first);
    assert_non_null(strstr(first + 1, "UploadUpdateCertificateInstance"));
    free(t);
    th_check_goldens((const char *const[]){"renew_ok_120x40", "renew_ok_80x24", NULL});
    assert_no_key_in_tree(tu_tmp);
    free(cert_line);
    free(dir);
}

/* The key of another certificate: the checklist marks it, U refuses, and no write reaches the
 * emulator (its record list is unchanged, the event log has no upload). */
static void test_wrong_key_sends_nothing(void **state)
{
    (void)state;
    write_files(GOOD_SANS);
    struct th_scenario s = {.dataset = "dataset_renewal.json",
                            .cols = 120,
                            .lines = 40,
                            .script = "wait-idle\n"
                                      "key j\n"
                                      "key U\n"
                                      "keys @/cert.pem\n"
                                      "key Enter\n"
                                      "keys @/wrong.pem\n"
                                      "key Enter\n"
                                      "key Enter\n"
                                      "wait-idle\n"
                                      "save-display @/wrong_key.txt\n"
                                      "key U\n"
                                      "save-display @/wrong_key_go.txt\n"
                                      "key F\n"
                                      "wait-idle\n"
                                      "key L\n"
                                      "save-display @/wrong_key_log.txt\n"};
    struct th_env env;
    th_env_start(&env, &s);
    char *text = th_expand(s.script);
    char *sp = tu_path(tu_tmp, "script");
    tu_write_file(sp, text);
    free(text);
    assert_int_equal(th_app_run(env.api, &s, sp), 0);
    free(sp);
    assert_int_equal(record_count(env.api), 2);
    th_env_stop(&env);
    static const struct th_expect want[] = {
        {"wrong_key", .has = {"\xe2\x9c\x97 key", "does not belong to the leaf certificate",
                              "The pre-flight failed: nothing will be sent."}},
        {"wrong_key_go", .has = {"the pre-flight failed: nothing is sent"}},
        {"wrong_key_log", .has = {"DescribeHostUploadUpdateRecord"},
         .lacks = {"UploadUpdateCertificateInstance"}},
    };
    th_check_displays(want, ARRAY_LEN(want));
    assert_no_key_in_tree(tu_tmp);
}

static void test_read_only_refuses(void **state)
{
    (void)state;
    struct th_scenario s = {.dataset = "dataset_renewal.json",
                            .read_only = true,
                            .script = "wait-idle\n"
                                      "key U\n"
                                      "save-display @/ro.txt\n"};
    assert_int_equal(th_run(&s), 0);
    char *t = th_display("ro");
    char *status = th_status_line(t);
    th_assert_contains(status, "read-only mode: renewal refused");
    th_assert_lacks(t, "new certificate chain");
    free(status);
    free(t);
}

/* Record 104's certificate has a task running: the service creates none and answers that
 * record (DeployStatus 0); the checklist names it and Enter opens it. */
static void test_running_task_is_named_and_opened(void **state)
{
    (void)state;
    write_files(GOOD_SANS);
    struct th_scenario s = {.cols = 120,
                            .lines = 40,
                            .script = "wait-idle\n"
                                      "key U\n" ANSWER_PROMPTS "key U\n"
                                      "keys Kx7Pq2Lm\n"
                                      "key Enter\n"
                                      "wait-idle\n"
                                      "save-display @/running.txt\n"
                                      "key Enter\n"
                                      "wait-idle\n"
                                      "save-display @/running_open.txt\n"};
    assert_int_equal(th_run(&s), 0);
    static const struct th_expect want[] = {
        {"running", .has = {"A task for certificate Kx7Pq2Lm is already running: record #104",
                            "Enter opens record #104", "Nothing new was created."}},
        {"running_open", .has = {"renew Kx7Pq2Lm", "#104"}},
    };
    th_check_displays(want, ARRAY_LEN(want));
}

/* A certificate for www only leaves api and shop.example.com uncovered: both listed, U
 * refuses, F goes ahead (the line becomes a warning) to the typed confirmation and the call. */
static void test_uncovered_domains_need_force(void **state)
{
    (void)state;
    write_files(NARROW_SANS);
    struct th_scenario s = {.dataset = "dataset_renewal.json",
                            .cols = 120,
                            .lines = 40,
                            .script = "wait-idle\n"
                                      "key j\n"
                                      "key U\n" ANSWER_PROMPTS
                                      "save-display @/renew_uncovered_120x40.txt\n"
                                      "key U\n"
                                      "save-display @/uncovered_go.txt\n"
                                      "key F\n"
                                      "save-display @/uncovered_force.txt\n"
                                      "keys nope\n"
                                      "key Enter\n"
                                      "save-display @/uncovered_typo.txt\n"};
    assert_int_equal(th_run(&s), 0);
    static const struct th_expect want[] = {
        {"renew_uncovered_120x40", .has = {"\xe2\x9c\x97 coverage", "not covered: api.example.com",
                                           "not covered: shop.example.com", "F push anyway"}},
        {"uncovered_go", .has = {"2 deployed domains are not covered by the new certificate: F"}},
        {"uncovered_force", .has = {"! coverage", "(F: going ahead)", "Type Renew01 to confirm:"}},
        {"uncovered_typo", .has = {"cancelled: 'nope' is not Renew01"}},
    };
    th_check_displays(want, ARRAY_LEN(want));
    th_check_golden("renew_uncovered_120x40");
}

/* A file that cannot be read and a bad type are asked for again, with what was typed; Esc
 * cancels the whole renewal with nothing sent. */
static void test_bad_answers_are_asked_again(void **state)
{
    (void)state;
    write_files(GOOD_SANS);
    struct th_scenario s = {.dataset = "dataset_renewal.json",
                            .cols = 120,
                            .script = "wait-idle\n"
                                      "key j\n"
                                      "key U\n"
                                      "keys @/nop\n"
                                      "key Tab\n"
                                      "save-display @/nocomp.txt\n"
                                      "keys e.pem\n"
                                      "key Enter\n"
                                      "keys @/key.pem\n"
                                      "key Enter\n"
                                      "key Enter\n"
                                      "save-display @/nofile.txt\n"
                                      "key C-u\n"
                                      "keys @/cert.pem\n"
                                      "key Enter\n"
                                      "key Enter\n"
                                      "keys ,Bad\n"
                                      "key Enter\n"
                                      "save-display @/badtypes.txt\n"
                                      "key Esc\n"
                                      "save-display @/cancelled.txt\n"};
    assert_int_equal(th_run(&s), 0);
    char *nope = xasprintf("new certificate chain (PEM file): %s/nope.pem", tu_tmp);
    struct th_expect want[] = {
        {"nocomp", .has = {"no file name begins with that"}},
        {"nofile", .has = {nope, "nope.pem: cannot open: No such file or directory"}},
        {"badtypes",
         .has = {"resource types: clb,Bad", "resource types are lowercase names separated by "
                                            "commas, such as clb,waf: not 'clb,Bad'"}},
        {"cancelled", .has = {"renewal cancelled: nothing was sent", "Renew01"},
         .lacks = {"resource types:", "renew Renew01"}},
    };
    th_check_displays(want, ARRAY_LEN(want));
    free(nope);
}

/* Outside a UTF-8 locale the checklist's marks are ASCII: + passed, x failed. */
static void test_ascii_marks(void **state)
{
    (void)state;
    write_files(NARROW_SANS);
    struct th_scenario s = {.dataset = "dataset_renewal.json",
                            .cols = 120,
                            .lines = 40,
                            .ascii = true,
                            .script = "wait-idle\n"
                                      "key j\n"
                                      "key U\n" ANSWER_PROMPTS "save-display @/ascii.txt\n"};
    assert_int_equal(th_run(&s), 0);
    static const struct th_expect want[] = {
        {"ascii", .has = {"+ chain", "+ key file", "x coverage", "x The new certificate leaves"}},
    };
    th_check_displays(want, ARRAY_LEN(want));
}

/* ---- path completion ----------------------------------------------------------------------- */

static void touch(const char *name)
{
    free(tmp_file(name, "x", 0644));
}

static void test_path_completion(void **state)
{
    (void)state;
    touch("cert.pem");
    touch("cert-2025.pem");
    touch("key.pem");
    touch(".hidden.pem");
    char *sub = tu_path(tu_tmp, "keys");
    assert_int_equal(mkdir(sub, 0700), 0);
    struct pathcomp pc;

    /* one file: completed; one directory: completed with '/' */
    char *typed = xasprintf("%s/key.", tu_tmp);
    assert_int_equal(pathcomp_complete(typed, NULL, &pc), 1);
    char *want = xasprintf("%s/key.pem", tu_tmp);
    assert_string_equal(pc.line, want);
    pathcomp_free(&pc);
    free(typed);
    free(want);
    typed = xasprintf("%s/keys", tu_tmp);
    assert_int_equal(pathcomp_complete(typed, NULL, &pc), 1);
    want = xasprintf("%s/keys/", tu_tmp);
    assert_string_equal(pc.line, want);
    pathcomp_free(&pc);
    free(typed);
    free(want);

    /* several: extended to what they share, listed sorted (directories with '/') */
    typed = xasprintf("%s/c", tu_tmp);
    assert_int_equal(pathcomp_complete(typed, NULL, &pc), 2);
    want = xasprintf("%s/cert", tu_tmp);
    assert_string_equal(pc.line, want);
    assert_string_equal(pc.names[0], "cert-2025.pem");
    assert_string_equal(pc.names[1], "cert.pem");
    pathcomp_free(&pc);
    free(typed);
    free(want);
    typed = xasprintf("%s/k", tu_tmp);
    assert_int_equal(pathcomp_complete(typed, NULL, &pc), 2);
    want = xasprintf("%s/key", tu_tmp);
    assert_string_equal(pc.line, want);
    assert_string_equal(pc.names[1], "keys/");
    pathcomp_free(&pc);
    free(typed);
    free(want);

    /* hidden files only when asked for; nothing: the line unchanged */
    typed = xasprintf("%s/", tu_tmp);
    pathcomp_complete(typed, NULL, &pc);
    for (size_t i = 0; i < pc.n; i++)
        assert_true(pc.names[i][0] != '.');
    pathcomp_free(&pc);
    free(typed);
    typed = xasprintf("%s/.h", tu_tmp);
    assert_int_equal(pathcomp_complete(typed, NULL, &pc), 1);
    assert_non_null(strstr(pc.line, "/.hidden.pem"));
    pathcomp_free(&pc);
    free(typed);
    typed = xasprintf("%s/zz", tu_tmp);
    assert_int_equal(pathcomp_complete(typed, NULL, &pc), 0);
    assert_string_equal(pc.line, typed);
    pathcomp_free(&pc);
    free(typed);

    /* ~ is home, kept as typed in the line; expanded to open */
    assert_int_equal(pathcomp_complete("~/cert.", tu_tmp, &pc), 1);
    assert_string_equal(pc.line, "~/cert.pem");
    pathcomp_free(&pc);
    assert_int_equal(pathcomp_complete("~", tu_tmp, &pc), 1);
    assert_string_equal(pc.line, "~/");
    pathcomp_free(&pc);
    char *home_slash = xasprintf("%s/", tu_tmp);
    char *open = pathcomp_expand("~/key.pem", home_slash);
    want = xasprintf("%s/key.pem", tu_tmp);
    assert_string_equal(open, want);
    free(open);
    free(want);
    free(home_slash);
    open = pathcomp_expand("a/~/b", tu_tmp);
    assert_string_equal(open, "a/~/b");
    free(open);

    /* a name a terminal could not show is never offered */
    touch("cert\x1b[31m.pem");
    typed = xasprintf("%s/cert", tu_tmp);
    assert_int_equal(pathcomp_complete(typed, NULL, &pc), 2);
    pathcomp_free(&pc);
    free(typed);
    free(sub);
}

int main(void)
{
    th_init();
    const struct CMUnitTest tests[] = {
        TH_TEST(test_path_completion),
        TH_TEST(test_read_only_refuses),
        TH_TEST(test_renew_creates_and_opens_the_record),
        TH_TEST(test_wrong_key_sends_nothing),
        TH_TEST(test_running_task_is_named_and_opened),
        TH_TEST(test_uncovered_domains_need_force),
        TH_TEST(test_bad_answers_are_asked_again),
        TH_TEST(test_ascii_marks),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    http_global_cleanup();
    return rc;
}
