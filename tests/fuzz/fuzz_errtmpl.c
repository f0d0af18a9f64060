/* libFuzzer entry point for the error templates (core/errtmpl.c): every line of the input is
 * the error message of one failed item. Each message gets a template; the set's groups must
 * account for every item exactly once, each group's Ids ascending, its example one of its
 * items, and the groups in their documented order. Built by tests/fuzz/CMakeLists.txt. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/errtmpl.h"
#include "core/util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = xstrndup((const char *)data, size);
    struct errtmpl_set *set = errtmpl_set_new();
    size_t added = 0;
    uint64_t id = 1;
    char *save = NULL;
    for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        char *t = errtmpl_of(line);
        if (!t) abort();
        free(t);
        struct deploy_item it = {.id = id,
                                 .error_msg = line,
                                 .status =
                                     id % 3 ? MODEL_STATUS_FAILED : MODEL_STATUS_ROLLBACK_FAILED,
                                 .region = id % 2 ? "ap-guangzhou" : NULL};
        if (!errtmpl_set_add(set, &it, "clb", id % 5 == 0)) abort(); /* a new failed Id */
        if (errtmpl_set_add(set, &it, "clb", false)) abort();        /* the same Id again */
        added++;
        id++;
    }
    if (errtmpl_set_items(set) != added) abort();

    size_t n = 0, sum = 0;
    const struct errtmpl_group *g = errtmpl_set_groups(set, &n);
    for (size_t i = 0; i < n; i++) {
        if (g[i].count != g[i].failed + g[i].rollback_failed) abort();
        if (g[i].n_detail_ids != g[i].count || g[i].count == 0) abort();
        for (size_t k = 1; k < g[i].n_detail_ids; k++)
            if (g[i].detail_ids[k - 1] >= g[i].detail_ids[k]) abort();
        if (g[i].example_id != g[i].detail_ids[0]) abort();
        if (i > 0 && (g[i - 1].count < g[i].count ||
                      (g[i - 1].count == g[i].count && strcmp(g[i - 1].text, g[i].text) >= 0)))
            abort();
        sum += g[i].count;
    }
    if (sum != added) abort();
    errtmpl_set_free(set);
    free(text);
    return 0;
}
