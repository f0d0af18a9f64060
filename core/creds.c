/* The credential chain (spec/API.md §6): environment, the SDKs' INI profile file, tccli's JSON
 * profile. Every buffer that held file contents is wiped; messages name files and keys, never
 * values. */
#include "core/creds.h"
#include "core/codec.h"

#include <cjson/cJSON.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/sanitize.h"
#include "core/util.h"

/* Credential files are tiny; anything larger is not one. */
#define CREDS_MAX_FILE (1024L * 1024L)

enum creds_found { CREDS_NOT_FOUND = 0, CREDS_FOUND = 1, CREDS_ERROR = -1 };

static void creds_append(char *dst, size_t n, const char *text)
{
    if (!dst || !n) return;
    size_t used = strlen(dst);
    if (used && used + 2 < n) {
        strlcpy_safe(dst + used, "; ", n - used);
        used += 2;
    }
    if (used < n) strlcpy_safe(dst + used, text, n - used);
}

/* Reads a whole small file. Returns 0 with a heap buffer (caller wipes and frees), 1 when it
 * does not exist, -1 on another error (message in why). */
static int creds_read_file(const char *path, char **data, size_t *len, struct stat *st, char *why,
                           size_t whylen)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        if (errno == ENOENT || errno == ENOTDIR) return 1;
        snprintf(why, whylen, "cannot read %s: %s", path, strerror(errno));
        return -1;
    }
    if (fstat(fd, st) != 0 || !S_ISREG(st->st_mode)) {
        snprintf(why, whylen, "%s is not a regular file", path);
        close(fd);
        return -1;
    }
    if (st->st_size > CREDS_MAX_FILE) {
        snprintf(why, whylen, "%s is too large to be a credentials file", path);
        close(fd);
        return -1;
    }
    size_t cap = (size_t)st->st_size + 1, n = 0;
    char *p = xmalloc(cap);
    for (;;) {
        ssize_t r = read(fd, p + n, cap - 1 - n);
        if (r < 0 && errno == EINTR) continue;
        if (r < 0) {
            snprintf(why, whylen, "cannot read %s: %s", path, strerror(errno));
            secure_zero(p, cap);
            free(p);
            close(fd);
            return -1;
        }
        if (r == 0 || n + (size_t)r >= cap - 1) {
            n += (size_t)r;
            break;
        }
        n += (size_t)r;
    }
    close(fd);
    p[n] = '\0';
    *data = p;
    *len = n;
    return 0;
}

static void creds_free_file(char *data, size_t len)
{
    if (!data) return;
    secure_zero(data, len + 1);
    free(data);
}

static void creds_mode_warning(const char *path, const struct stat *st, char *warn, size_t warnlen)
{
    char line[1200];
    if (st->st_mode & (S_IRGRP | S_IROTH))
        snprintf(line, sizeof line, "%s is readable by group or others: chmod 600 %s", path, path);
    else if (st->st_mode & (S_IWGRP | S_IWOTH))
        snprintf(line, sizeof line, "%s is writable by group or others: chmod 600 %s", path, path);
    else
        return;
    creds_append(warn, warnlen, line);
}

/* Copies a secret value into a fixed field; fails (naming only the field) when it does not
 * fit or holds characters that would break an HTTP header. */
static int creds_store(char *dst, size_t n, const char *src, size_t len, const char *what,
                       const char *where, char *err, size_t errlen)
{
    if (len >= n) {
        snprintf(err, errlen, "%s in %s is too long (%zu bytes, at most %zu)", what, where, len,
                 n - 1);
        return -1;
    }
    for (size_t i = 0; i < len; i++) {
        unsigned char ch = (unsigned char)src[i];
        if (ch < 0x20 || ch == 0x7f) {
            snprintf(err, errlen, "%s in %s contains a control character", what, where);
            return -1;
        }
    }
    memcpy(dst, src, len);
    dst[len] = '\0';
    return 0;
}

static const char *creds_trim(char *s, size_t *len)
{
    size_t n = *len;
    while (n && (*s == ' ' || *s == '\t'))
        s++, n--;
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
        n--;
    *len = n;
    return s;
}

/* INI file: [section] headers, key = value (or key: value), comments starting with # or ;,
 * blank lines, CRLF, surrounding spaces and matching quotes around values. Keys and section
 * names are compared case-insensitively for keys, exactly for sections (as the SDKs do). */
static enum creds_found creds_from_ini(const char *path, const char *profile, struct creds *out,
                                       char *err, size_t errlen, char *warn, size_t warnlen)
{
    char *data = NULL;
    size_t len = 0;
    struct stat st;
    int r = creds_read_file(path, &data, &len, &st, err, errlen);
    if (r == 1) return CREDS_NOT_FOUND;
    if (r < 0) return CREDS_ERROR;

    /* A binary file (a key pair saved as something else, a corrupt copy) is a parse error,
     * not "no credentials found" behind the first NUL. */
    for (size_t i = 0; i < len; i++) {
        unsigned char ch = (unsigned char)data[i];
        if (ch == 0 || (ch < 0x20 && ch != '\t' && ch != '\r' && ch != '\n') || ch == 0x7f) {
            snprintf(err, errlen, "%s: not a text INI file (control byte 0x%02x at offset %zu)",
                     path, ch, i);
            creds_free_file(data, len);
            return CREDS_ERROR;
        }
    }
    long bad = utf8_invalid_offset(data, len);
    if (bad >= 0) {
        snprintf(err, errlen, "%s: not a text INI file (invalid UTF-8 at offset %ld)", path, bad);
        creds_free_file(data, len);
        return CREDS_ERROR;
    }

    char where[700];
    snprintf(where, sizeof where, "%s [%s]", path, profile);
    bool in_section = false, seen_section = false, have_id = false, have_key = false;
    enum creds_found result = CREDS_NOT_FOUND;
    struct creds tmp;
    memset(&tmp, 0, sizeof tmp);
    char *line = data;
    size_t lineno = 0;
    while (line && *line) {
        lineno++;
        char *nl = strchr(line, '\n');
        size_t n = nl ? (size_t)(nl - line) : strlen(line);
        char *next = nl ? nl + 1 : NULL;
        char *s = (char *)creds_trim(line, &n);
        if (n == 0 || s[0] == '#' || s[0] == ';') {
            line = next;
            continue;
        }
        if (s[0] == '[') {
            if (s[n - 1] != ']') {
                snprintf(err, errlen, "%s line %zu: malformed section header", path, lineno);
                result = CREDS_ERROR;
                goto out;
            }
            size_t sn = n - 2;
            const char *name = creds_trim(s + 1, &sn);
            if (in_section) break; /* the profile's section ended */
            in_section = sn == strlen(profile) && memcmp(name, profile, sn) == 0;
            seen_section = seen_section || in_section;
            line = next;
            continue;
        }
        if (!in_section) {
            line = next;
            continue;
        }
        size_t eq = strcspn(s, "=:");
        if (eq >= n) {
            snprintf(err, errlen, "%s line %zu: expected key = value", path, lineno);
            result = CREDS_ERROR;
            goto out;
        }
        size_t kn = eq, vn = n - eq - 1;
        const char *key = creds_trim(s, &kn);
        const char *val = creds_trim(s + eq + 1, &vn);
        if (vn >= 2 && (val[0] == '"' || val[0] == '\'') && val[vn - 1] == val[0]) {
            val++;
            vn -= 2;
        }
        char *field = NULL;
        size_t field_size = 0;
        const char *what = NULL;
        if (kn == 9 && strncasecmp(key, "secret_id", 9) == 0) {
            field = tmp.secret_id, field_size = sizeof tmp.secret_id, what = "secret_id";
            have_id = vn > 0;
        } else if (kn == 10 && strncasecmp(key, "secret_key", 10) == 0) {
            field = tmp.secret_key, field_size = sizeof tmp.secret_key, what = "secret_key";
            have_key = vn > 0;
        } else if (kn == 5 && strncasecmp(key, "token", 5) == 0) {
            field = tmp.token, field_size = sizeof tmp.token, what = "token";
        }
        if (field && creds_store(field, field_size, val, vn, what, where, err, errlen) != 0) {
            result = CREDS_ERROR;
            goto out;
        }
        line = next;
    }
    if (seen_section) {
        if (!have_id || !have_key) {
            snprintf(err, errlen, "%s has no %s: add %s = … to that section", where,
                     have_id ? "secret_key" : "secret_id", have_id ? "secret_key" : "secret_id");
            result = CREDS_ERROR;
            goto out;
        }
        memcpy(out->secret_id, tmp.secret_id, sizeof tmp.secret_id);
        memcpy(out->secret_key, tmp.secret_key, sizeof tmp.secret_key);
        memcpy(out->token, tmp.token, sizeof tmp.token);
        strlcpy_safe(out->source, where, sizeof out->source);
        creds_mode_warning(path, &st, warn, warnlen);
        result = CREDS_FOUND;
    }
out:
    secure_zero(&tmp, sizeof tmp);
    creds_free_file(data, len);
    return result;
}

/* tccli's ~/.tccli/<profile>.credential: {"secretId":…, "secretKey":…, "token":…}. */
static enum creds_found creds_from_tccli(const char *path, struct creds *out, char *err,
                                         size_t errlen, char *warn, size_t warnlen)
{
    char *data = NULL;
    size_t len = 0;
    struct stat st;
    int r = creds_read_file(path, &data, &len, &st, err, errlen);
    if (r == 1) return CREDS_NOT_FOUND;
    if (r < 0) return CREDS_ERROR;

    enum creds_found result = CREDS_ERROR;
    struct creds tmp;
    memset(&tmp, 0, sizeof tmp);
    struct api_error perr;
    cJSON *root = codec_parse(data, len, NULL, &perr);
    if (!cJSON_IsObject(root)) {
        snprintf(err, errlen, "%s is not a JSON object (tccli credential file)", path);
        goto out;
    }
    const cJSON *id = cJSON_GetObjectItemCaseSensitive(root, "secretId");
    const cJSON *key = cJSON_GetObjectItemCaseSensitive(root, "secretKey");
    const cJSON *token = cJSON_GetObjectItemCaseSensitive(root, "token");
    const cJSON *type = cJSON_GetObjectItemCaseSensitive(root, "type");
    bool id_ok = cJSON_IsString(id) && id->valuestring[0];
    bool key_ok = cJSON_IsString(key) && key->valuestring[0];
    if (!id_ok || !key_ok) {
        if (cJSON_IsString(type) && type->valuestring[0] && strlen(type->valuestring) < 32)
            snprintf(err, errlen, "%s uses credential type \"%s\", which certdeck does not support",
                     path, type->valuestring);
        else
            snprintf(err, errlen, "%s has no %s", path, id_ok ? "secretKey" : "secretId");
        goto out;
    }
    if (creds_store(tmp.secret_id, sizeof tmp.secret_id, id->valuestring, strlen(id->valuestring),
                    "secretId", path, err, errlen) != 0 ||
        creds_store(tmp.secret_key, sizeof tmp.secret_key, key->valuestring,
                    strlen(key->valuestring), "secretKey", path, err, errlen) != 0)
        goto out;
    if (cJSON_IsString(token) &&
        creds_store(tmp.token, sizeof tmp.token, token->valuestring, strlen(token->valuestring),
                    "token", path, err, errlen) != 0)
        goto out;
    *out = tmp;
    strlcpy_safe(out->source, path, sizeof out->source);
    creds_mode_warning(path, &st, warn, warnlen);
    result = CREDS_FOUND;
out:
    if (root) {
        /* cJSON's string copies held the secrets: wipe them before freeing. */
        for (const cJSON *it = root->child; it; it = it->next)
            if (cJSON_IsString(it) && it->valuestring)
                secure_zero(it->valuestring, strlen(it->valuestring));
        cJSON_Delete(root);
    }
    secure_zero(&tmp, sizeof tmp);
    creds_free_file(data, len);
    return result;
}

static const char *creds_env(const char *name)
{
    const char *v = getenv(name);
    return v && v[0] ? v : NULL;
}

int creds_resolve(const struct creds_opts *opts, struct creds *out, char *err, size_t errlen,
                  char *warn, size_t warnlen)
{
    char dummy_err[8], dummy_warn[8];
    if (!err || !errlen) err = dummy_err, errlen = sizeof dummy_err;
    if (!warn || !warnlen) warn = dummy_warn, warnlen = sizeof dummy_warn;
    err[0] = '\0';
    warn[0] = '\0';
    if (!out) {
        snprintf(err, errlen, "internal: no place for the credentials");
        return -1;
    }
    creds_wipe(out);

    const char *explicit_profile = opts && opts->profile && opts->profile[0] ? opts->profile : NULL;
    const char *home = opts && opts->home ? opts->home : getenv("HOME");
    if (!home || !home[0]) home = ".";

    /* 1. Environment, unless a profile was asked for by name. */
    if (!explicit_profile) {
        const char *id = creds_env("TENCENTCLOUD_SECRET_ID");
        const char *key = creds_env("TENCENTCLOUD_SECRET_KEY");
        if (id && key) {
            const char *token = creds_env("TENCENTCLOUD_SESSION_TOKEN");
            const char *token_var = "TENCENTCLOUD_SESSION_TOKEN";
            if (!token) token = creds_env("TENCENTCLOUD_TOKEN"), token_var = "TENCENTCLOUD_TOKEN";
            if (creds_store(out->secret_id, sizeof out->secret_id, id, strlen(id),
                            "TENCENTCLOUD_SECRET_ID", "the environment", err, errlen) != 0 ||
                creds_store(out->secret_key, sizeof out->secret_key, key, strlen(key),
                            "TENCENTCLOUD_SECRET_KEY", "the environment", err, errlen) != 0 ||
                (token && creds_store(out->token, sizeof out->token, token, strlen(token),
                                      token_var, "the environment", err, errlen) != 0)) {
                creds_wipe(out);
                return -1;
            }
            snprintf(out->source, sizeof out->source, "environment (TENCENTCLOUD_SECRET_ID%s%s)",
                     token ? ", " : "", token ? token_var : "");
            return 0;
        }
        if (id || key)
            creds_append(warn, warnlen,
                         id ? "TENCENTCLOUD_SECRET_ID is set but TENCENTCLOUD_SECRET_KEY is not: "
                              "the environment was ignored"
                            : "TENCENTCLOUD_SECRET_KEY is set but TENCENTCLOUD_SECRET_ID is not: "
                              "the environment was ignored");
    }

    /* 2. The SDKs' INI profile file. */
    const char *ini_profile = explicit_profile ? explicit_profile : "default";
    const char *env_file = creds_env("TENCENTCLOUD_CREDENTIALS_FILE");
    char *ini_path = env_file ? xstrdup(env_file) : xasprintf("%s/.tencentcloud/credentials", home);
    enum creds_found f = creds_from_ini(ini_path, ini_profile, out, err, errlen, warn, warnlen);
    if (f == CREDS_NOT_FOUND && env_file && access(env_file, F_OK) != 0) {
        snprintf(err, errlen, "TENCENTCLOUD_CREDENTIALS_FILE names %s, which does not exist",
                 env_file);
        f = CREDS_ERROR;
    }
    if (f != CREDS_NOT_FOUND) {
        free(ini_path);
        if (f == CREDS_ERROR) creds_wipe(out);
        return f == CREDS_FOUND ? 0 : -1;
    }

    /* 3. tccli's JSON profile. */
    const char *tccli_profile = explicit_profile ? explicit_profile : creds_env("TCCLI_PROFILE");
    if (!tccli_profile) tccli_profile = "default";
    char *tccli_path = NULL;
    if (strchr(tccli_profile, '/') || strcmp(tccli_profile, "..") == 0) {
        snprintf(err, errlen, "profile name \"%.64s\" is not valid (no '/')", tccli_profile);
        f = CREDS_ERROR;
    } else {
        tccli_path = xasprintf("%s/.tccli/%s.credential", home, tccli_profile);
        f = creds_from_tccli(tccli_path, out, err, errlen, warn, warnlen);
    }
    if (f == CREDS_NOT_FOUND) {
        if (explicit_profile)
            snprintf(err, errlen,
                     "profile \"%.64s\" not found: looked in %s [%s] and %s; add it or pick "
                     "another --profile",
                     explicit_profile, ini_path, ini_profile, tccli_path);
        else
            snprintf(err, errlen,
                     "no credentials found: looked at TENCENTCLOUD_SECRET_ID/"
                     "TENCENTCLOUD_SECRET_KEY, %s [%s] and %s; set those variables, write that "
                     "file (chmod 600), or try --demo",
                     ini_path, ini_profile, tccli_path);
    }
    free(ini_path);
    free(tccli_path);
    if (f != CREDS_FOUND) {
        creds_wipe(out);
        return -1;
    }
    return 0;
}

static size_t creds_profile_add(struct creds_profile *out, size_t cap, size_t n, const char *name,
                                size_t name_len, const char *source)
{
    if (n >= cap) return n;
    for (size_t i = 0; i < n; i++)
        if (strlen(out[i].name) == name_len && !memcmp(out[i].name, name, name_len)) return n;
    size_t k = name_len < sizeof out[n].name - 1 ? name_len : sizeof out[n].name - 1;
    memcpy(out[n].name, name, k);
    out[n].name[k] = '\0';
    strlcpy_safe(out[n].source, source, sizeof out[n].source);
    return n + 1;
}

size_t creds_profiles(const struct creds_opts *opts, struct creds_profile *out, size_t cap)
{
    const char *home = opts && opts->home ? opts->home : getenv("HOME");
    if (!home || !home[0]) home = ".";
    size_t n = 0;
    if (creds_env("TENCENTCLOUD_SECRET_ID") && creds_env("TENCENTCLOUD_SECRET_KEY"))
        n = creds_profile_add(out, cap, n, "", 0, "environment (TENCENTCLOUD_SECRET_ID)");

    const char *env_file = creds_env("TENCENTCLOUD_CREDENTIALS_FILE");
    char *ini_path = env_file ? xstrdup(env_file) : xasprintf("%s/.tencentcloud/credentials", home);
    char *data = NULL, why[8];
    size_t len = 0;
    struct stat st;
    if (creds_read_file(ini_path, &data, &len, &st, why, sizeof why) == 0) {
        for (char *line = data; line && *line;) {
            char *nl = strchr(line, '\n');
            size_t ln = nl ? (size_t)(nl - line) : strlen(line);
            const char *s = creds_trim(line, &ln);
            if (ln >= 2 && s[0] == '[' && s[ln - 1] == ']') {
                size_t sn = ln - 2;
                const char *name = creds_trim((char *)s + 1, &sn);
                if (sn) n = creds_profile_add(out, cap, n, name, sn, ini_path);
            }
            line = nl ? nl + 1 : NULL;
        }
        creds_free_file(data, len);
    }
    free(ini_path);

    char *dir = xasprintf("%s/.tccli", home);
    DIR *d = opendir(dir);
    if (d) {
        /* readdir order is the file system's: sort the tccli names for a stable list. */
        size_t first = n;
        for (struct dirent *e; (e = readdir(d));) {
            const char *dot = strrchr(e->d_name, '.');
            if (!dot || strcmp(dot, ".credential") || dot == e->d_name) continue;
            char *src = xasprintf("%s/%s", dir, e->d_name);
            n = creds_profile_add(out, cap, n, e->d_name, (size_t)(dot - e->d_name), src);
            free(src);
        }
        closedir(d);
        for (size_t i = first + 1; i < n; i++)
            for (size_t j = i; j > first && strcmp(out[j - 1].name, out[j].name) > 0; j--) {
                struct creds_profile t = out[j];
                out[j] = out[j - 1];
                out[j - 1] = t;
            }
    }
    free(dir);
    return n;
}

void creds_mask_id(const char *secret_id, char *out, size_t n)
{
    if (!out || !n) return;
    size_t len = secret_id ? strlen(secret_id) : 0;
    /* Short ids would be shown whole: show nothing of them. */
    if (len <= 4)
        snprintf(out, n, "****");
    else
        snprintf(out, n, "****%s", secret_id + len - 4);
}

bool creds_has_token(const struct creds *c)
{
    return c && c->token[0] != '\0';
}

void creds_wipe(struct creds *c)
{
    if (c) secure_zero(c, sizeof *c);
}
