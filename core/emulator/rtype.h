/* The resource types a certificate is deployed to, by their API names, and the failure texts
 * each type's service gives. */
#ifndef CERTDECK_EMULATOR_RTYPE_H
#define CERTDECK_EMULATOR_RTYPE_H

#include <stdbool.h>
#include <stdint.h>

#include "core/model.h"

enum rtype {
    RT_CLB,
    RT_CDN,
    RT_DDOS,
    RT_LIVE,
    RT_VOD,
    RT_WAF,
    RT_APIGW,
    RT_TEO,
    RT_TKE,
    RT_COS,
    RT_TSE,
    RT_TCB,
    RT_COUNT
};

extern const char *const rtype_names[RT_COUNT]; /* "clb", "cdn", … "tcb" */

/* -1 when s is NULL or not a type name. */
int rtype_from_name(const char *s);
/* A heap string: why the deploy (or rollback) of item it failed, worded as its service words
 * it and naming the item's own instance, listener, domain…; h picks among the texts. */
char *rtype_failure_message(const struct deploy_item *it, bool rollback, uint64_t h);

#endif
