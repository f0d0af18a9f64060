/* Tests for core/jsonw (the streaming JSON writer) and codec_write_*: byte for byte the output
 * of what batch JSON was before it streamed — cJSON_Print of the codec's tree, then every code
 * point the sanitizer names escaped as \uXXXX — on records full of escapes, controls, bidi
 * marks, CJK, emoji, invalid UTF-8, big and negative numbers, null and empty lists; and the
 * export's text strings. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <cjson/cJSON.h>
#include <math.h>

#include "core/codec.h"
#include "core/jsonw.h"
#include "core/sanitize.h"
#include "core/util.h"

/* ---- the reference: batch JSON as it was printed before the writer streamed ------------- */

/* tui/text.c's text_decode as it was before core/sanitize.c's utf8_next took its place: the
 * old print_json read its output with it. */
static size_t old_decode(const char *s, uint32_t *cp)
{
    const unsigned char *u = (const unsigned char *)s;
    unsigned char c = u[0];
    if (c < 0x80) {
        *cp = c;
        return c ? 1 : 0;
    }
    size_t n;
    uint32_t v;
    if (c >= 0xc2 && c <= 0xdf) {
        n = 2;
        v = c & 0x1f;
    } else if (c >= 0xe0 && c <= 0xef) {
        n = 3;
        v = c & 0x0f;
    } else if (c >= 0xf0 && c <= 0xf4) {
        n = 4;
        v = c & 0x07;
    } else {
        *cp = 0xfffd;
        return 1;
    }
    for (size_t i = 1; i < n; i++) {
        if ((u[i] & 0xc0) != 0x80) {
            *cp = 0xfffd;
            return 1;
        }
        v = (v << 6) | (u[i] & 0x3f);
    }
    if ((n == 3 && v < 0x800) || (n == 4 && (v < 0x10000 || v > 0x10ffff)) ||
        (v >= 0xd800 && v <= 0xdfff)) {
        *cp = 0xfffd;
        return 1;
    }
    *cp = v;
    return n;
}

/* The old print_json: cJSON_Print, then the sanitizer's code points escaped, then "\n". */
static char *old_print_json(const cJSON *root)
{
    char *text = cJSON_Print(root);
    assert_non_null(text);
    struct buf b = {0};
    for (const char *p = text; *p;) {
        uint32_t c;
        size_t n = old_decode(p, &c);
        if (sanitize_cp_needs_escape(c))
            buf_printf(&b, "\\u%04x", (unsigned)c);
        else
            buf_append(&b, p, n);
        p += n;
    }
    buf_putc(&b, '\n');
    cJSON_free(text);
    return buf_steal(&b);
}

/* What the writer prints for fn(w, arg) and a newline. */
static char *written(void (*fn)(struct jsonw *, const void *), const void *arg)
{
    char *data = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&data, &len);
    assert_non_null(f);
    struct jsonw w;
    jsonw_init(&w, f);
    fn(&w, arg);
    jsonw_newline(&w);
    assert_int_equal(jsonw_finish(&w), 0);
    fclose(f);
    return data;
}

static void write_detail(struct jsonw *w, const void *p)
{
    codec_write_detail_page(w, p);
}

static void write_records(struct jsonw *w, const void *p)
{
    codec_write_records_page(w, p);
}

static void write_tree(struct jsonw *w, const void *root)
{
    jsonw_cjson(w, root);
}

static void assert_same_bytes(const char *want, const char *got)
{
    if (strcmp(want, got) == 0) return;
    size_t i = 0;
    while (want[i] && want[i] == got[i])
        i++;
    fail_msg("differs at byte %zu: want \"%.40s\", got \"%.40s\"", i, want + i, got + i);
}

/* ---- samples ---------------------------------------------------------------------------- */

/* A detail body with every kind of text and number the writer must reproduce. */
static const char detail_body[] =
    "{\"Response\":{\"RequestId\":\"rid\",\"DeployRecordDetail\":["
    "{\"TotalCount\":3,\"SuccessTotalCount\":1,\"FailedTotalCount\":2,\"RunningTotalCount\":0,"
    "\"PendingTotalCount\":0,\"Type\":0,\"Status\":2,\"CreateTime\":\"2025-05-01 10:00:00\","
    "\"RecordDetailList\":["
    "{\"ResourceType\":\"clb\",\"TotalCount\":\"9007199254740991\",\"List\":["
    "{\"Id\":\"18446744073709551615\",\"OldCertId\":\"Cert\\\"q\\\\b\",\"Status\":-3,"
    "\"ErrorMsg\":\"\\u001b[31mred\\u001b[0m\\b\\f\\n\\r\\t\\u0001 \\u007f del \\u0085 c1 "
    "\\u009b csi \\u202e bidi \\u2066 iso \\u061c alm \\u200f rlm\","
    "\"CreateTime\":\"2025-05-01T10:00:00Z\",\"UpdateTime\":\"\","
    "\"InstanceId\":\"lb-1\",\"InstanceName\":\"监听器-HTTPS 😀 é\",\"ListenerId\":\"lbl\","
    "\"ListenerName\":\"\\\"quoted\\\" / slash\",\"Domains\":[\"a.example.com\",\"b\"],"
    "\"Protocol\":\"HTTPS\",\"SniSwitch\":1,\"Forward\":-1,\"SSLMode\":\"MUTUAL\","
    "\"ResourceType\":\"clb\",\"Region\":\"ap-guangzhou\",\"Bucket\":\"\",\"Namespace\":\"ns\","
    "\"SecretName\":\"s\",\"Port\":\"-9007199254740993\"},"
    "{\"Id\":2,\"Domains\":null,\"Port\":1000000000000000},"
    "{\"Id\":3,\"Domains\":[],\"Port\":999999999999999,\"Status\":2147483648}]},"
    "{\"ResourceType\":\"cdn\",\"TotalCount\":0,\"List\":null},"
    "{\"ResourceType\":\"waf\",\"TotalCount\":0,\"List\":[]}]},"
    "{\"TotalCount\":0,\"Type\":1,\"Status\":4,\"RecordDetailList\":null},"
    "{\"TotalCount\":0,\"Type\":1,\"Status\":4,\"RecordDetailList\":[]}]}}";

static void test_detail_page_bytes(void **state)
{
    (void)state;
    struct detail_page p;
    struct api_error err;
    if (codec_decode_detail_body(detail_body, sizeof detail_body - 1, &p, &err) != 0)
        fail_msg("decode: %s", err.message);
    /* As batch prints it: the data, without the response's RequestId. */
    char *rid = p.request_id;
    p.request_id = NULL;
    cJSON *tree = codec_encode_detail_page(&p);
    char *want = old_print_json(tree);
    char *got = written(write_detail, &p);
    assert_same_bytes(want, got);
    /* The controls really were escaped, and the text is the same data. */
    assert_non_null(strstr(got, "\\u001b[31m"));
    assert_non_null(strstr(got, "\\u202e"));
    assert_non_null(strstr(got, "监听器-HTTPS 😀 é"));
    assert_null(strchr(got, 0x1b));
    cJSON *back = cJSON_Parse(got);
    assert_non_null(back);
    cJSON_Delete(back);
    cJSON_Delete(tree);
    free(want);
    free(got);

    /* Items that no decoder would let through: invalid UTF-8 and a lone continuation byte,
     * a truncated sequence before a quote and an escape. */
    struct deploy_item *it = &p.runs[0].groups[0].items[1];
    char bad1[] = "bad \xff byte \xe2\x80 cut \xc2", bad2[] = "\x80\x80\xe2\x80\xae\xe2";
    it->error_msg = bad1;
    it->instance_name = bad2;
    tree = codec_encode_detail_page(&p);
    want = old_print_json(tree);
    got = written(write_detail, &p);
    assert_same_bytes(want, got);
    it->error_msg = NULL;
    it->instance_name = NULL;
    cJSON_Delete(tree);
    free(want);
    free(got);
    p.request_id = rid;
    model_detail_page_clear(&p);
}

static void test_records_page_bytes(void **state)
{
    (void)state;
    char *types[] = {"clb", "cdn\u202e", NULL};
    struct update_record recs[] = {
        {7, "Cert\x1b", types, 3, 4, "2025-01-01 00:00:00", NULL},
        {UINT64_MAX, NULL, NULL, 0, 0, NULL, ""},
    };
    struct records_page p = {2, recs, 2, NULL};
    cJSON *tree = codec_encode_records_page(&p);
    char *want = old_print_json(tree);
    char *got = written(write_records, &p);
    assert_same_bytes(want, got);
    cJSON_Delete(tree);
    free(want);
    free(got);

    struct records_page empty = {0};
    tree = codec_encode_records_page(&empty);
    want = old_print_json(tree);
    got = written(write_records, &empty);
    assert_same_bytes(want, got);
    cJSON_Delete(tree);
    free(want);
    free(got);
}

/* Trees the errors and radar commands print: every cJSON kind, numbers of every shape,
 * nesting, empty containers. */
static void test_cjson_tree_bytes(void **state)
{
    (void)state;
    cJSON *root = cJSON_CreateObject();
    cJSON_AddNumberToObject(root, "Int", 42);
    cJSON_AddNumberToObject(root, "Neg", -7);
    cJSON_AddNumberToObject(root, "Big", 3e10);
    cJSON_AddNumberToObject(root, "Frac", 1.5);
    cJSON_AddNumberToObject(root, "Third", 1.0 / 3.0);
    cJSON_AddNumberToObject(root, "Tiny", 1e-300);
    cJSON_AddNumberToObject(root, "Huge", 1e300);
    cJSON_AddNumberToObject(root, "NaN", NAN);
    cJSON_AddNumberToObject(root, "NegZero", -0.0);
    cJSON_AddRawToObject(root, "Raw", "12345678901234567890");
    cJSON_AddTrueToObject(root, "T");
    cJSON_AddFalseToObject(root, "F");
    cJSON_AddNullToObject(root, "N");
    cJSON_AddStringToObject(root, "S", "tab\there \xc2\x9b csi \xe2\x80\x8e");
    cJSON_AddObjectToObject(root, "EmptyObj");
    cJSON_AddArrayToObject(root, "EmptyArr");
    cJSON *arr = cJSON_AddArrayToObject(root, "Arr");
    cJSON_AddItemToArray(arr, cJSON_CreateString("x"));
    cJSON_AddItemToArray(arr, cJSON_CreateNumber(2));
    cJSON *inner = cJSON_CreateArray();
    cJSON_AddItemToArray(inner, cJSON_CreateObject());
    cJSON_AddItemToArray(inner, cJSON_CreateArray());
    cJSON_AddItemToArray(arr, inner);
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "k\x7f", "v");
    cJSON_AddItemToObject(o, "deep", cJSON_CreateObject());
    cJSON_AddItemToArray(arr, o);
    char *want = old_print_json(root);
    char *got = written(write_tree, root);
    assert_same_bytes(want, got);
    free(want);
    free(got);
    cJSON_Delete(root);

    cJSON *top_arr = cJSON_CreateArray(); /* a bare array, and a bare empty object */
    want = old_print_json(top_arr);
    got = written(write_tree, top_arr);
    assert_same_bytes(want, got);
    free(want);
    free(got);
    cJSON_Delete(top_arr);
    cJSON *top_obj = cJSON_CreateObject();
    want = old_print_json(top_obj);
    got = written(write_tree, top_obj);
    assert_same_bytes(want, got);
    free(want);
    free(got);
    cJSON_Delete(top_obj);
}

/* The export's strings: sanitized text (a person reads it), then escaped. */
static void test_escape_text(void **state)
{
    (void)state;
    struct buf b = {0};
    jsonw_escape_text(&b, "a\"b\\c\x1b[0m\ttab \xe2\x80\xae x");
    char *clean = sanitize_dup("a\"b\\c\x1b[0m\ttab \xe2\x80\xae x");
    /* the sanitizer's visible forms, with JSON's two escapes */
    struct buf want = {0};
    buf_putc(&want, '"');
    for (const char *p = clean; *p; p++) {
        if (*p == '"' || *p == '\\') buf_putc(&want, '\\');
        buf_putc(&want, *p);
    }
    buf_putc(&want, '"');
    assert_string_equal(b.data, want.data);
    assert_null(strchr(b.data, 0x1b));
    buf_reset(&b);
    jsonw_escape_text(&b, NULL);
    assert_string_equal(b.data, "\"\"");
    buf_free(&b);
    buf_free(&want);
    free(clean);
}

/* utf8_next reads every sequence as the old decoder did: all of one and two bytes, every
 * three-byte one, four-byte ones around every boundary, and each cut short. */
static void test_utf8_next_as_before(void **state)
{
    (void)state;
    unsigned char s[6];
    for (unsigned a = 1; a < 256; a++)
        for (unsigned b = 0; b < 256; b++)
            for (unsigned c = 0; c < 256; c += (a >= 0xe0 ? 1 : 255)) {
                static const unsigned char fourth[] = {0x00, 0x41, 0x80, 0x8f, 0x90, 0xbf, 0xc0};
                for (size_t k = 0; k < (a >= 0xf0 ? ARRAY_LEN(fourth) : 1); k++) {
                    s[0] = (unsigned char)a, s[1] = (unsigned char)b, s[2] = (unsigned char)c;
                    s[3] = fourth[k], s[4] = 0x80, s[5] = 0;
                    uint32_t want, got;
                    size_t wn = old_decode((const char *)s, &want);
                    size_t gn = utf8_next((const char *)s, &got);
                    if (wn != gn || want != got)
                        fail_msg("%02x %02x %02x %02x: old %zu U+%04X, new %zu U+%04X", a, b, c,
                                 s[3], wn, (unsigned)want, gn, (unsigned)got);
                }
            }
    uint32_t cp;
    assert_int_equal(utf8_next("", &cp), 0);
}

/* A failed write is reported by jsonw_finish. */
static void test_finish_reports_write_error(void **state)
{
    (void)state;
    FILE *f = fopen("/dev/full", "w");
    if (!f) skip();
    setvbuf(f, NULL, _IONBF, 0);
    struct jsonw w;
    jsonw_init(&w, f);
    jsonw_object_begin(&w);
    jsonw_key(&w, "K");
    jsonw_string(&w, "v");
    jsonw_object_end(&w);
    assert_int_equal(jsonw_finish(&w), -1);
    fclose(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_detail_page_bytes),
        cmocka_unit_test(test_records_page_bytes),
        cmocka_unit_test(test_cjson_tree_bytes),
        cmocka_unit_test(test_escape_text),
        cmocka_unit_test(test_utf8_next_as_before),
        cmocka_unit_test(test_finish_reports_write_error),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
