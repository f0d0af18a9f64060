/* The field tables of the codec (core/codec_shapes.c): one per API object, with the API's field
 * names, nesting and order, read by the decoder (core/codec.c) and the encoder
 * (core/codec_encode.c), so that both are written down once. */
#ifndef CERTDECK_CODEC_SHAPES_H
#define CERTDECK_CODEC_SHAPES_H

#include <stdbool.h>
#include <stddef.h>

enum codec_field_kind {
    CODEC_F_STR,  /* char * */
    CODEC_F_I64,  /* int64_t */
    CODEC_F_U64,  /* uint64_t */
    CODEC_F_STRS, /* char ** + size_t count */
    CODEC_F_OBJS, /* struct T * + size_t count, elements described by sub */
};

enum {
    CODEC_F_REQUIRED = 1u << 0, /* missing is an error */
    CODEC_F_NONNEG = 1u << 1,   /* an int64 field the API declares uint64 */
    CODEC_F_HAS = 1u << 2,      /* flag_off: bool has_ (numbers) — null or missing clears it */
    CODEC_F_NULLFLAG = 1u << 3, /* flag_off: bool *_null (lists) — set when the API sent null */
    /* encoder: a number without has_ is written as null, not omitted */
    CODEC_F_NULL_IF_ABSENT = 1u << 4,
    /* decoder: the list's elements keep their strings in the object's arena (arena_off) */
    CODEC_F_ARENA = 1u << 5,
};

struct codec_shape;

struct codec_field {
    const char *name;
    enum codec_field_kind kind;
    unsigned flags;
    size_t off;      /* the member */
    size_t n_off;    /* CODEC_F_STRS / CODEC_F_OBJS: the size_t count */
    size_t flag_off; /* CODEC_F_HAS / CODEC_F_NULLFLAG: the bool */
    const struct codec_shape *sub;
};

struct codec_shape {
    size_t size;
    const struct codec_field *fields;
    size_t n_fields;
    bool has_arena; /* the object owns a struct model_arena * at arena_off (core/model.h) */
    size_t arena_off;
};

/* Rollback / Retry: only RequestId. */
struct codec_empty_response {
    char *request_id;
};

/* DeployRecordItem; DeployRecord (one deploy or rollback run); UploadUpdateRecordInfo (one row
 * of the record list). */
extern const struct codec_shape codec_item_shape;
extern const struct codec_shape codec_run_shape;
extern const struct codec_shape codec_record_shape;
/* The inside of "Response" for DescribeHostUploadUpdateRecordDetail,
 * DescribeHostUploadUpdateRecord, UploadUpdateCertificateInstance, and Rollback or Retry
 * (struct codec_empty_response). */
extern const struct codec_shape codec_detail_shape;
extern const struct codec_shape codec_records_shape;
extern const struct codec_shape codec_upload_shape;
extern const struct codec_shape codec_empty_shape;

/* The member at byte offset off of the object at base, as a T *. */
#define CODEC_MEMBER(base, off, T) ((T *)(void *)((char *)(base) + (off)))

#endif
