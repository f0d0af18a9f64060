/* A heap string field of a model struct, replaced in place: the old value is freed. */
#ifndef CERTDECK_EMULATOR_STRSLOT_H
#define CERTDECK_EMULATOR_STRSLOT_H

#include <stdlib.h>

static inline void strslot_set(char **slot, char *value)
{
    free(*slot);
    *slot = value;
}

#endif
