/* Answers and their texts: the envelope, request ids, and the table of error messages. */
#include "core/emulator/answer.h"

#include <microhttpd.h>
#include <openssl/rand.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/codec.h"
#include "core/util.h"

struct message {
    const char *code, *en, *zh;
};

/* Fixed texts (the parameter errors are formatted in emu_answer_param). The English ones follow
 * the wording seen in captures of the real service where known (spec §4.1). */
static const struct message messages[] = {
    {"AuthFailure.InvalidAuthorization",
     "The Authorization header is invalid: it must be a TC3-HMAC-SHA256 signature that signs "
     "content-type and host.",
     "请求头部的 Authorization 不符合腾讯云标准。"},
    {"AuthFailure.SecretIdNotFound",
     "The SecretId is not found, please ensure that your SecretId is correct.",
     "密钥不存在。请在控制台检查密钥是否已被删除或者禁用，如状态正常，请检查密钥是否填写正确，"
     "注意前后不得有空格。"},
    {"AuthFailure.SignatureFailure",
     "The provided credentials could not be validated. Please check your signature is correct.",
     "请求签名验证失败，请检查您的签名计算是否正确。"},
    {"AuthFailure.SignatureExpire", "The signature is expired, please request again.",
     "签名过期。Timestamp 和服务器时间相差不得超过五分钟，请检查本地时间是否和标准时间同步。"},
    {"AuthFailure.TokenFailure", "The provided token is invalid or missing.", "token 错误。"},
    {"InvalidAction", "The request `Action` is invalid or not found.", "接口不存在。"},
    {"NoSuchVersion", "The requested `Version` does not exist for this action.",
     "接口版本不存在。"},
    {"RequestLimitExceeded",
     "Your request rate is too high, which exceeds the frequency limit. Please try again later.",
     "请求的次数超过了频率限制。"},
    {"UnsupportedProtocol",
     "The HTTP method, path or content type is not supported: use POST / with Content-Type "
     "application/json.",
     "HTTP(S) 请求协议错误，请使用 POST / 和 application/json。"},
    {"RequestSizeLimitExceeded", "The request body exceeds 10 MB.", "请求包超过 10 MB 限制。"},
    {"InternalError",
     "An internal error has occurred. Retry your request, but if the problem persists, contact "
     "us.",
     "内部错误。"},
    {"FailedOperation.CertificateDeployNotExist", NULL, "部署记录不存在。"},
    {"FailedOperation.CertificateDeployHasPendingRecord", NULL,
     "当前有部署中的任务，请等待部署完成后再操作。"},
    {"FailedOperation.CertificateDeployRetryStatusInvalid", NULL,
     "部署记录不是失败状态，无法重试。"},
    {"FailedOperation.CertificateDeployRollbackStatusInvalid", NULL,
     "只有部署成功的记录才能回滚。"},
    {"FailedOperation.CertificateParseError", "The certificate or private key could not be parsed.",
     "证书解析失败。"},
    {"FailedOperation.CertificateMatchError", "The private key does not match the certificate.",
     "证书与私钥不匹配。"},
    {"FailedOperation.CertificateHostResourceTypeInvalid", "The resource type is not supported.",
     "资源类型不合法。"},
};

static const struct message *message_for(const char *code)
{
    for (size_t i = 0; i < ARRAY_LEN(messages); i++)
        if (strcmp(messages[i].code, code) == 0) return &messages[i];
    return NULL;
}

void emu_request_id(char out[37])
{
    unsigned char b[16];
    if (RAND_bytes(b, sizeof b) != 1) {
        /* not expected; a clock-and-counter id is still unique enough for tests */
        static _Atomic uint64_t ctr;
        uint64_t x = (uint64_t)now_ms() ^ (atomic_fetch_add(&ctr, 1) * 0x9E3779B97F4A7C15ull);
        for (int i = 0; i < 16; i++)
            b[i] = (unsigned char)(x >> ((i % 8) * 8)) ^ (unsigned char)i;
    }
    b[6] = (unsigned char)((b[6] & 0x0f) | 0x40); /* version 4 */
    b[8] = (unsigned char)((b[8] & 0x3f) | 0x80); /* RFC 4122 variant */
    snprintf(out, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0],
             b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13],
             b[14], b[15]);
}

void emu_answer_json(struct emu_answer *a, char *body)
{
    a->status = MHD_HTTP_OK;
    a->content_type = "application/json";
    a->body = body;
    a->len = strlen(body);
}

void emu_answer_error(struct emu_answer *a, const char *rid, const char *code, const char *msg)
{
    emu_answer_json(a, codec_error_envelope(code, msg, rid));
    a->code = code;
}

void emu_answer_std(struct emu_answer *a, const char *rid, enum emu_lang l, const char *code,
                    const char *note)
{
    const struct message *m = message_for(code);
    const char *text = m ? (l == EMU_LANG_ZH && m->zh ? m->zh : m->en) : NULL;
    emu_answer_error(a, rid, code, text ? text : code);
    if (note) strlcpy_safe(a->note, note, sizeof a->note);
}

void emu_answer_param(struct emu_answer *a, const char *rid, enum emu_lang l,
                      enum emu_param_error kind, const char *name, const char *detail)
{
    char *msg;
    const char *code;
    switch (kind) {
    case EMU_PARAM_MISSING:
        code = "MissingParameter";
        msg = l == EMU_LANG_ZH
                  ? xasprintf("缺少必填参数 `%s`。", name)
                  : xasprintf("The request is missing a required parameter `%s`.", name);
        break;
    case EMU_PARAM_TYPE:
        code = "InvalidParameter";
        msg = l == EMU_LANG_ZH ? xasprintf("参数 `%s` 类型错误。", name)
                               : xasprintf("Parameter `%s` type error.", name);
        break;
    case EMU_PARAM_UNKNOWN:
        code = "UnknownParameter";
        msg = l == EMU_LANG_ZH ? xasprintf("未知参数 `%s`。", name)
                               : xasprintf("The parameter `%s` is not recognized.", name);
        break;
    default:
        code = "InvalidParameter";
        msg = l == EMU_LANG_ZH ? xasprintf("参数 `%s` 取值错误：%s", name, detail)
                               : xasprintf("Parameter `%s` is invalid: %s", name, detail);
        break;
    }
    emu_answer_error(a, rid, code, msg);
    free(msg);
}

void emu_answer_api_error(struct emu_answer *a, const char *rid, enum emu_lang l,
                          const struct api_error *err)
{
    const struct message *m = message_for(err->code);
    const char *text = l == EMU_LANG_ZH && m && m->zh ? m->zh : err->message;
    emu_answer_error(a, rid, err->code[0] ? err->code : "FailedOperation", text);
    strlcpy_safe(a->note, err->message, sizeof a->note);
}
