/* The one table of item fields: each field's name (filter, :sort, CSV header) and label, its
 * value as text, and the columns each resource type shows. */
#include "core/fields.h"

#include <stdlib.h>
#include <string.h>

#include "core/timefmt.h"
#include "core/util.h"

static const char *const field_table[F_COUNT][2] = {
#define ITEM_FIELD_DEF(id, name, label) [id] = {name, label},
    ITEM_FIELDS(ITEM_FIELD_DEF)
#undef ITEM_FIELD_DEF
};

const char *field_name(enum item_field f)
{
    return (unsigned)f < F_COUNT ? field_table[f][0] : "";
}

const char *field_label(enum item_field f)
{
    return (unsigned)f < F_COUNT ? field_table[f][1] : "";
}

static const char *or_empty(const char *s)
{
    return s ? s : "";
}

const char *field_text(const struct deploy_item *it, enum item_field f, struct buf *out)
{
    char tmp[64], when[TIMEFMT_LEN];
    switch (f) {
    case F_ID:
        buf_printf(out, "%llu", (unsigned long long)it->id);
        return out->data;
    case F_STATUS:
        buf_puts(out, model_status_label(it->status, tmp, sizeof tmp));
        return out->data;
    case F_TYPE:
        return or_empty(it->resource_type);
    case F_INSTANCE:
        return or_empty(it->instance_id);
    case F_INSTANCE_NAME:
        return or_empty(it->instance_name);
    case F_LISTENER:
        return or_empty(it->listener_id);
    case F_LISTENER_NAME:
        return or_empty(it->listener_name);
    case F_PORT:
        if (!it->port) return "";
        buf_printf(out, "%lld", (long long)it->port);
        return out->data;
    case F_PROTOCOL:
        return or_empty(it->protocol);
    case F_SNI:
        return it->sni_switch == 1 ? "on" : it->sni_switch == 0 ? "off" : "?";
    case F_SSL_MODE:
        return or_empty(it->ssl_mode);
    case F_FORWARD:
        return it->forward == 1 ? "application" : it->forward == 0 ? "classic" : "?";
    case F_DOMAINS:
        if (it->n_domains == 1) return or_empty(it->domains[0]);
        for (size_t i = 0; i < it->n_domains; i++) {
            if (i) buf_puts(out, ", ");
            buf_puts(out, or_empty(it->domains[i]));
        }
        return out->data ? out->data : "";
    case F_BUCKET:
        return or_empty(it->bucket);
    case F_REGION:
        return or_empty(it->region);
    case F_NAMESPACE:
        return or_empty(it->namespace_);
    case F_SECRET:
        return or_empty(it->secret_name);
    case F_OLD_CERT:
        return or_empty(it->old_cert_id);
    case F_CREATED: /* items write UTC; shown in the display zone */
        buf_puts(out, timefmt_api(it->create_time, APITIME_UTC, when, sizeof when));
        return out->data;
    case F_UPDATED:
        buf_puts(out, timefmt_api(it->update_time, APITIME_UTC, when, sizeof when));
        return out->data;
    case F_ERROR:
        return or_empty(it->error_msg);
    default:
        return "";
    }
}

char *field_value(const struct deploy_item *it, enum item_field f)
{
    struct buf b = {0};
    const char *s = field_text(it, f, &b);
    char *v = xstrdup(s);
    buf_free(&b);
    return v;
}

static const enum item_field fields_clb[] = {F_INSTANCE, F_LISTENER_NAME, F_PORT,
                                             F_PROTOCOL, F_SNI,           F_SSL_MODE,
                                             F_DOMAINS,  F_STATUS,        F_ERROR};
static const enum item_field fields_cos[] = {F_BUCKET, F_REGION, F_DOMAINS, F_STATUS, F_ERROR};
static const enum item_field fields_tke[] = {F_INSTANCE, F_NAMESPACE, F_SECRET,
                                             F_REGION,   F_STATUS,    F_ERROR};
static const enum item_field fields_domains[] = {F_INSTANCE, F_DOMAINS, F_STATUS, F_ERROR};
static const enum item_field fields_other[] = {F_INSTANCE, F_INSTANCE_NAME, F_DOMAINS,
                                               F_REGION,   F_STATUS,        F_ERROR};

size_t field_columns(const char *type, const enum item_field **out)
{
    static const char *const domain_types[] = {"cdn", "waf", "live", "teo", "ddos", "vod"};
    type = type ? type : "";
    if (!strcmp(type, "clb")) {
        *out = fields_clb;
        return ARRAY_LEN(fields_clb);
    }
    if (!strcmp(type, "cos")) {
        *out = fields_cos;
        return ARRAY_LEN(fields_cos);
    }
    if (!strcmp(type, "tke")) {
        *out = fields_tke;
        return ARRAY_LEN(fields_tke);
    }
    for (size_t i = 0; i < ARRAY_LEN(domain_types); i++) {
        if (!strcmp(type, domain_types[i])) {
            *out = fields_domains;
            return ARRAY_LEN(fields_domains);
        }
    }
    *out = fields_other;
    return ARRAY_LEN(fields_other);
}
