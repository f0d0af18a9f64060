/* The emulator's answers: the Response envelope around a body or an error, fresh RequestIds,
 * and the error texts in the two languages X-TC-Language picks between. */
#ifndef CERTDECK_EMULATOR_ANSWER_H
#define CERTDECK_EMULATOR_ANSWER_H

#include <stddef.h>

#include "core/apierr.h"

/* zh-CN gives Chinese, anything else English. */
enum emu_lang { EMU_LANG_EN, EMU_LANG_ZH };

/* What to send back. */
struct emu_answer {
    unsigned status;
    const char *content_type;
    char *body;
    size_t len;
    const char *code; /* the error code for the log; NULL on success */
    char note[160];   /* why, for the log only (never a secret) */
};

/* A random UUID (version 4). */
void emu_request_id(char out[37]);

/* HTTP 200 with body, a heap JSON string the answer now owns. */
void emu_answer_json(struct emu_answer *a, char *body);
/* The Response.Error envelope with code and msg. */
void emu_answer_error(struct emu_answer *a, const char *rid, const char *code, const char *msg);
/* An error with the table's text for code in language l; note goes to the log only. */
void emu_answer_std(struct emu_answer *a, const char *rid, enum emu_lang l, const char *code,
                    const char *note);

enum emu_param_error { EMU_PARAM_MISSING, EMU_PARAM_TYPE, EMU_PARAM_UNKNOWN, EMU_PARAM_VALUE };
/* MissingParameter, InvalidParameter (a type, or a value with detail saying why) or
 * UnknownParameter, naming the parameter. */
void emu_answer_param(struct emu_answer *a, const char *rid, enum emu_lang l,
                      enum emu_param_error kind, const char *name, const char *detail);
/* A dataset error: its code, the table's Chinese text for zh-CN, else its own message. */
void emu_answer_api_error(struct emu_answer *a, const char *rid, enum emu_lang l,
                          const struct api_error *err);

#endif
