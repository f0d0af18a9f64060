/* cJSON <-> model, both directions: the client decodes responses, the emulator and `-o json`
 * encode them. Decoding is strict and path-precise: a wrong type fails with an error naming the
 * JSON path ("Response.DeployRecordDetail[1].RecordDetailList[0].List[3].Port: expected
 * integer, got string"). It accepts integer-valued numeric strings ("15"), null lists, missing
 * optional fields and null strings, and ignores unknown fields. Strings must be valid UTF-8. */
#ifndef CERTDECK_CODEC_H
#define CERTDECK_CODEC_H

#include <cjson/cJSON.h>

#include "core/apierr.h"
#include "core/model.h"

/* Whole HTTP bodies. Return 0 and fill *out; or -1 with err set: APIERR_API when the body is
 * a well-formed error envelope (Code, Message, RequestId copied through the sanitizer, cut to
 * their fields), APIERR_DECODE otherwise. The decoded data keeps the server's exact bytes;
 * the error fields are text, made inert at ingress.
 * On failure *out is left empty (nothing to free). */
int codec_decode_records_body(const char *body, size_t len, struct records_page *out,
                              struct api_error *err);
int codec_decode_detail_body(const char *body, size_t len, struct detail_page *out,
                             struct api_error *err);
int codec_decode_upload_body(const char *body, size_t len, struct upload_result *out,
                             struct api_error *err);
/* Rollback and Retry answer only RequestId; request_id is a caller buffer (may be NULL) that
 * receives its sanitized form. */
int codec_decode_empty_body(const char *body, size_t len, char *request_id, size_t rid_len,
                            struct api_error *err);

/* Parses one whole JSON document (need not be NUL-terminated; surrounding whitespace allowed).
 * The private copy it parses is wiped before it is freed (credential files come through here).
 * Every cJSON parse in the process must go through here: cJSON keeps a process-global error
 * position, so parses are serialized. Returns NULL with err (APIERR_DECODE: "response is not
 * valid JSON (at byte N)", "response is empty", nesting too deep) and, when error_at is
 * not NULL, the byte offset of the problem. */
cJSON *codec_parse(const char *body, size_t len, size_t *error_at, struct api_error *err);

/* Single objects, for the emulator's --dataset loader. path names the object in errors. */
int codec_decode_update_record(const cJSON *obj, const char *path, struct update_record *out,
                               struct api_error *err);
int codec_decode_deploy_run(const cJSON *obj, const char *path, struct deploy_run *out,
                            struct api_error *err);
/* One item (its strings on the heap: model_item_clear frees them), for a group's List read
 * one item at a time (a snapshot file). */
int codec_decode_deploy_item(const cJSON *obj, const char *path, struct deploy_item *out,
                             struct api_error *err);

/* An integer from a JSON number with an integral value, or a string holding one ("15",
 * "-3"). Returns 0, or -1 when v is neither (NULL v is -1). */
int codec_int_value(const cJSON *v, int64_t *out);

/* Encoding, with the API's own field names and nesting. Absent (NULL) strings are omitted,
 * as is PendingTotalCount when has_pending_total_count is false. Caller owns the result. */
cJSON *codec_encode_update_record(const struct update_record *r);
cJSON *codec_encode_deploy_run(const struct deploy_run *r);
cJSON *codec_encode_deploy_item(const struct deploy_item *it);
/* {"TotalCount":…, "DeployRecordList":[…]} and {"DeployRecordDetail":[…]} (no RequestId when
 * request_id is NULL) — the inside of "Response". */
cJSON *codec_encode_records_page(const struct records_page *p);
cJSON *codec_encode_detail_page(const struct detail_page *p);
cJSON *codec_encode_upload_result(const struct upload_result *r);

/* The same encodings written as they are walked, item by item, into a streaming writer
 * (core/jsonw.h): the bytes of jsonw_cjson over the codec_encode_* tree, with no tree. */
struct jsonw;
void codec_write_records_page(struct jsonw *w, const struct records_page *p);
void codec_write_detail_page(struct jsonw *w, const struct detail_page *p);
void codec_write_deploy_item(struct jsonw *w, const struct deploy_item *it);

/* A full envelope {"Response": {...inner, "RequestId": id}} printed compactly; takes
 * ownership of inner. And the error envelope {"Response":{"Error":{"Code","Message"},
 * "RequestId"}}. Both return heap strings. */
char *codec_envelope(cJSON *inner, const char *request_id);
char *codec_error_envelope(const char *code, const char *message, const char *request_id);

#endif
