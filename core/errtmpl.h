/* Error templates: the item error messages of a run, grouped by what broke. Each message becomes
 * a template in which the values (resource IDs, domains, addresses, numbers, quoted values,
 * paths…) are `<*>` and the sentence stays, so "listener lbl-c1wpbg9v …" and "listener
 * lbl-f40fk8cl …" are one cause with a count, in English and in Chinese ("实例lb-8ausljxl状态异常"
 * and "实例lb-ei7avhju状态异常" are one template: values glued to CJK text are cut out).
 *
 * How, and how it differs from Drain (He et al., ICWS 2017) and Drain3. Drain3 first masks
 * values with regular expressions, then walks a fixed-depth tree (token count, first tokens)
 * to a list of clusters and joins a message to the most similar cluster when enough of its
 * tokens agree, turning the tokens that differ into `<*>`. That similarity step merges
 * "instance <*> is expired" with "instance <*> is stopped" — two different causes. Here only
 * the masking step exists, and it is stricter and richer than Drain3's default masks: a token
 * becomes `<*>` because of its own shape (it holds a digit, is a domain, an address, a path, a
 * known resource-ID prefix such as lb-/lbl-/ins-/cls-/zone-, a random-looking mixed-case ID, or
 * sits between quotes), never because it differs from another message. The masked text is
 * then the template itself, looked up in a hash table — the role of Drain's tree, with exact
 * match instead of similarity. So a word of the sentence never varies within a template, the
 * result does not depend on the order of the messages, and grouping is linear in the number of
 * items (and in their message length).
 *
 * Consecutive values joined by separators (", ", ";", "、", spaces, ':') fold into one `<*>`,
 * so a list of one domain and a list of three are the same cause; a timestamp "2025-05-20
 * 15:03:17" is one `<*>` too.
 *
 * Strings in and out are raw UTF-8 as the API sent them: sanitize before any terminal or file
 * (core/sanitize.h). No curses, no I/O, no threads: a set is used by one thread at a time. */
#ifndef CERTDECK_ERRTMPL_H
#define CERTDECK_ERRTMPL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/model.h"

/* What a template's variable parts become. */
#define ERRTMPL_VAR "<*>"

/* The template of one message, as a heap string (NULL or "" give ""). Invalid UTF-8 bytes are
 * kept as they are (the sanitizer deals with them at output). */
char *errtmpl_of(const char *msg);

/* One template and the failed items that share it. */
struct errtmpl_group {
    char *text;    /* the template ("" for items without a message) */
    size_t count;  /* failed + rollback_failed */
    size_t failed; /* items whose deploy failed */
    size_t
        rollback_failed;   /* items whose rollback failed (status 5, or failed in a rollback run) */
    char **resource_types; /* distinct, sorted by byte order */
    size_t n_resource_types;
    char **regions; /* distinct non-empty regions, sorted */
    size_t n_regions;
    char *example;        /* the message of the item with the lowest Id */
    uint64_t example_id;  /* that item's Id */
    uint64_t *detail_ids; /* every item's Id (DeployRecordDetailId), ascending */
    size_t n_detail_ids;
};

/* A growing set of templates: add the failed items of a run page by page (the TUI as pages
 * arrive, the batch CLI after paging everything), read the groups whenever needed. */
struct errtmpl_set;

struct errtmpl_set *errtmpl_set_new(void);
void errtmpl_set_free(struct errtmpl_set *s); /* NULL is fine */

/* True when item status marks a failure this module groups: failed (2) or rollback failed (5). */
bool errtmpl_item_failed(int64_t status);

/* Adds one item when it failed (errtmpl_item_failed) and its Id is new to the set; returns
 * whether it was added. group_type names its resource type when the item's own ResourceType
 * is empty or absent; rollback says the item belongs to a rollback run (its failure then
 * counts as rollback_failed). */
bool errtmpl_set_add(struct errtmpl_set *s, const struct deploy_item *it, const char *group_type,
                     bool rollback);
/* errtmpl_set_add for every item of every group of run; returns how many were added. */
size_t errtmpl_set_add_run(struct errtmpl_set *s, const struct deploy_run *run);

/* Failed items added so far (the sum of the groups' counts). */
size_t errtmpl_set_items(const struct errtmpl_set *s);

/* The groups, sorted by count descending, ties by template text (byte order), so that their
 * 1-based positions are stable between runs on the same data. The array and its groups belong
 * to the set: valid until the next errtmpl_set_add* or errtmpl_set_free. */
const struct errtmpl_group *errtmpl_set_groups(struct errtmpl_set *s, size_t *n);

#endif
