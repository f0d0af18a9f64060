/* Made-up cloud resources for generated and uploaded records: per resource type, instance ids,
 * names, listeners, domains, buckets and regions shaped like the real services'. */
#ifndef CERTDECK_EMULATOR_INSTANCES_H
#define CERTDECK_EMULATOR_INSTANCES_H

#include <stddef.h>

#include "core/emulator/rng.h"
#include "core/emulator/rtype.h"
#include "core/model.h"

/* MIXED: mostly English names, some Chinese and some very long; CJK: Chinese names only. */
enum instance_style { INSTANCE_MIXED, INSTANCE_CJK };

/* Fills the instance fields of it (not its id, status, times or old certificate) as the idx-th
 * instance of type t (< RT_COUNT) in region. Draws from rng. */
void instance_fill(struct rng *rng, struct deploy_item *it, enum rtype t, size_t idx,
                   enum instance_style style, const char *region);
/* A certificate id as the console shows them: 8 letters and digits. Heap string. */
char *instance_cert_id(struct rng *rng);

#endif
