/* The field tables: one per API object, in the official example's order (the spec seed page). */
#include "core/codec_shapes.h"

#include "core/model.h"
#include "core/util.h"

#define SHAPE(T, table)                                                                            \
    {                                                                                              \
        sizeof(T), table, ARRAY_LEN(table), false, 0                                               \
    }
#define SHAPE_ARENA(T, table, m)                                                                   \
    {                                                                                              \
        sizeof(T), table, ARRAY_LEN(table), true, offsetof(T, m)                                   \
    }
#define FSTR(T, name, m, fl)                                                                       \
    {                                                                                              \
        name, CODEC_F_STR, fl, offsetof(T, m), 0, 0, NULL                                          \
    }
#define FI64(T, name, m, fl)                                                                       \
    {                                                                                              \
        name, CODEC_F_I64, fl, offsetof(T, m), 0, 0, NULL                                          \
    }
#define FI64_HAS(T, name, m, has, fl)                                                              \
    {                                                                                              \
        name, CODEC_F_I64, (fl) | CODEC_F_HAS, offsetof(T, m), 0, offsetof(T, has), NULL           \
    }
#define FU64(T, name, m, fl)                                                                       \
    {                                                                                              \
        name, CODEC_F_U64, fl, offsetof(T, m), 0, 0, NULL                                          \
    }
#define FSTRS(T, name, m, n, fl)                                                                   \
    {                                                                                              \
        name, CODEC_F_STRS, fl, offsetof(T, m), offsetof(T, n), 0, NULL                            \
    }
#define FSTRS_NULL(T, name, m, n, nf)                                                              \
    {                                                                                              \
        name, CODEC_F_STRS, CODEC_F_NULLFLAG, offsetof(T, m), offsetof(T, n), offsetof(T, nf),     \
            NULL                                                                                   \
    }
#define FOBJS(T, name, m, n, sub, fl)                                                              \
    {                                                                                              \
        name, CODEC_F_OBJS, fl, offsetof(T, m), offsetof(T, n), 0, &(sub)                          \
    }
#define FOBJS_NULL(T, name, m, n, nf, sub)                                                         \
    {                                                                                              \
        name, CODEC_F_OBJS, CODEC_F_NULLFLAG, offsetof(T, m), offsetof(T, n), offsetof(T, nf),     \
            &(sub)                                                                                 \
    }

/* DeployRecordItem, in the seed example's order. */
static const struct codec_field item_fields[] = {
    FU64(struct deploy_item, "Id", id, CODEC_F_REQUIRED),
    FSTR(struct deploy_item, "OldCertId", old_cert_id, 0),
    FI64(struct deploy_item, "Status", status, 0),
    FSTR(struct deploy_item, "ErrorMsg", error_msg, 0),
    FSTR(struct deploy_item, "CreateTime", create_time, 0),
    FSTR(struct deploy_item, "UpdateTime", update_time, 0),
    FSTR(struct deploy_item, "InstanceId", instance_id, 0),
    FSTR(struct deploy_item, "InstanceName", instance_name, 0),
    FSTR(struct deploy_item, "ListenerId", listener_id, 0),
    FSTR(struct deploy_item, "ListenerName", listener_name, 0),
    FSTRS_NULL(struct deploy_item, "Domains", domains, n_domains, domains_null),
    FSTR(struct deploy_item, "Protocol", protocol, 0),
    FI64(struct deploy_item, "SniSwitch", sni_switch, 0),
    FI64(struct deploy_item, "Forward", forward, 0),
    FSTR(struct deploy_item, "SSLMode", ssl_mode, 0),
    FSTR(struct deploy_item, "ResourceType", resource_type, 0),
    FSTR(struct deploy_item, "Region", region, 0),
    FSTR(struct deploy_item, "Bucket", bucket, 0),
    FSTR(struct deploy_item, "Namespace", namespace_, 0),
    FSTR(struct deploy_item, "SecretName", secret_name, 0),
    FI64(struct deploy_item, "Port", port, 0),
};
const struct codec_shape codec_item_shape = SHAPE(struct deploy_item, item_fields);

/* DeployRecordList (one resource-type group). */
static const struct codec_field group_fields[] = {
    FSTR(struct resource_group, "ResourceType", resource_type, 0),
    {"List", CODEC_F_OBJS, CODEC_F_NULLFLAG | CODEC_F_ARENA, offsetof(struct resource_group, items),
     offsetof(struct resource_group, n_items), offsetof(struct resource_group, list_null),
     &codec_item_shape},
    FI64(struct resource_group, "TotalCount", total_count, 0),
};
static const struct codec_shape codec_group_shape =
    SHAPE_ARENA(struct resource_group, group_fields, arena);

/* DeployRecord (one deploy or rollback run). */
static const struct codec_field run_fields[] = {
    FI64(struct deploy_run, "TotalCount", total_count, 0),
    FI64(struct deploy_run, "SuccessTotalCount", success_total_count, 0),
    FI64(struct deploy_run, "FailedTotalCount", failed_total_count, 0),
    FI64(struct deploy_run, "RunningTotalCount", running_total_count, 0),
    FI64_HAS(struct deploy_run, "PendingTotalCount", pending_total_count, has_pending_total_count,
             0),
    FOBJS_NULL(struct deploy_run, "RecordDetailList", groups, n_groups, groups_null,
               codec_group_shape),
    FI64(struct deploy_run, "Type", type, 0),
    FI64(struct deploy_run, "Status", status, 0),
    FSTR(struct deploy_run, "CreateTime", create_time, 0),
};
const struct codec_shape codec_run_shape = SHAPE(struct deploy_run, run_fields);

static const struct codec_field detail_fields[] = {
    FOBJS(struct detail_page, "DeployRecordDetail", runs, n_runs, codec_run_shape,
          CODEC_F_REQUIRED),
    FSTR(struct detail_page, "RequestId", request_id, 0),
};
const struct codec_shape codec_detail_shape = SHAPE(struct detail_page, detail_fields);

/* UploadUpdateRecordInfo (one row of the record list). */
static const struct codec_field record_fields[] = {
    FU64(struct update_record, "Id", id, CODEC_F_REQUIRED),
    FSTR(struct update_record, "OldCertId", old_cert_id, 0),
    FSTRS(struct update_record, "ResourceTypes", resource_types, n_resource_types, 0),
    FI64(struct update_record, "Status", status, CODEC_F_NONNEG),
    FSTR(struct update_record, "CreateTime", create_time, 0),
    FSTR(struct update_record, "UpdateTime", update_time, 0),
};
const struct codec_shape codec_record_shape = SHAPE(struct update_record, record_fields);

static const struct codec_field records_fields[] = {
    FU64(struct records_page, "TotalCount", total_count, CODEC_F_REQUIRED),
    FOBJS(struct records_page, "DeployRecordList", records, n_records, codec_record_shape,
          CODEC_F_REQUIRED),
    FSTR(struct records_page, "RequestId", request_id, 0),
};
const struct codec_shape codec_records_shape = SHAPE(struct records_page, records_fields);

/* UploadUpdateCertificateInstance: the example sends TotalCount/OffsetCount as null. */
static const struct codec_field region_fields[] = {
    FI64_HAS(struct sync_progress_region, "TotalCount", total_count, has_total_count,
             CODEC_F_NULL_IF_ABSENT),
    FI64_HAS(struct sync_progress_region, "OffsetCount", offset_count, has_offset_count,
             CODEC_F_NULL_IF_ABSENT),
    FI64(struct sync_progress_region, "Status", status, 0),
    FSTR(struct sync_progress_region, "Region", region, 0),
};
static const struct codec_shape codec_region_shape =
    SHAPE(struct sync_progress_region, region_fields);

static const struct codec_field progress_fields[] = {
    FSTR(struct sync_progress, "ResourceType", resource_type, 0),
    FOBJS(struct sync_progress, "UpdateSyncProgressRegions", regions, n_regions, codec_region_shape,
          0),
    FI64(struct sync_progress, "Status", status, 0),
};
static const struct codec_shape codec_progress_shape = SHAPE(struct sync_progress, progress_fields);

static const struct codec_field upload_fields[] = {
    FU64(struct upload_result, "DeployRecordId", deploy_record_id, CODEC_F_REQUIRED),
    FI64(struct upload_result, "DeployStatus", deploy_status, 0),
    FOBJS(struct upload_result, "UpdateSyncProgress", progress, n_progress, codec_progress_shape,
          0),
    FSTR(struct upload_result, "RequestId", request_id, 0),
};
const struct codec_shape codec_upload_shape = SHAPE(struct upload_result, upload_fields);

/* Rollback / Retry: only RequestId. */
static const struct codec_field empty_fields[] = {
    FSTR(struct codec_empty_response, "RequestId", request_id, 0),
};
const struct codec_shape codec_empty_shape = SHAPE(struct codec_empty_response, empty_fields);
