/* libFuzzer entry point feeding every codec decoder (and, on success, the encoder and a second
 * decode of its output). Built by tests/fuzz/CMakeLists.txt (make check runs it short, make
 * fuzz long); its corpus, tests/fuzz/corpus/codec/, holds API responses and what fuzzing found.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/codec.h"

/* A decode that succeeded must re-encode to something that decodes again. */
static void detail_round_trip(const struct detail_page *p)
{
    struct api_error err;
    char *env = codec_envelope(codec_encode_detail_page(p), p->request_id);
    struct detail_page again;
    if (codec_decode_detail_body(env, strlen(env), &again, &err) != 0) abort();
    if (again.n_runs != p->n_runs) abort();
    model_detail_page_clear(&again);
    free(env);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *body = (const char *)data;
    struct api_error err;

    struct detail_page dp;
    if (codec_decode_detail_body(body, size, &dp, &err) == 0) {
        detail_round_trip(&dp);
        model_detail_page_clear(&dp);
    }

    struct records_page rp;
    if (codec_decode_records_body(body, size, &rp, &err) == 0) {
        char *env = codec_envelope(codec_encode_records_page(&rp), NULL);
        free(env);
        model_records_page_clear(&rp);
    }

    struct upload_result ur;
    if (codec_decode_upload_body(body, size, &ur, &err) == 0) {
        char *env = codec_envelope(codec_encode_upload_result(&ur), NULL);
        free(env);
        model_upload_result_clear(&ur);
    }

    char rid[80];
    codec_decode_empty_body(body, size, rid, sizeof rid, &err);

    /* The single-object decoders and codec_int_value on whatever the input parses to. */
    char *copy = malloc(size + 1);
    if (!copy) return 0;
    memcpy(copy, body, size);
    copy[size] = '\0';
    cJSON *root = cJSON_ParseWithLength(copy, size);
    free(copy);
    if (root) {
        struct deploy_run run;
        if (codec_decode_deploy_run(root, "Fuzz", &run, &err) == 0) model_run_clear(&run);
        struct update_record rec;
        if (codec_decode_update_record(root, "Fuzz", &rec, &err) == 0) model_record_clear(&rec);
        int64_t v;
        codec_int_value(root, &v);
        for (const cJSON *c = root->child; c; c = c->next)
            codec_int_value(c, &v);
        cJSON_Delete(root);
    }
    return 0;
}
