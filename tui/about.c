/* --version, doctor's paths and the theme list: what this copy is and where it looks. */
#include "tui/about.h"

#include <cjson/cJSON.h>
#include <curl/curl.h>
#include <curses.h>
#include <dirent.h>
#include <microhttpd.h>
#include <openssl/crypto.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/sanitize.h"
#include "core/util.h"
#include "tui/paths.h"

#ifndef CERTDECK_GIT_DESCRIBE
#define CERTDECK_GIT_DESCRIBE "unknown"
#endif

void about_print_version(FILE *out)
{
    const curl_version_info_data *cv = curl_version_info(CURLVERSION_NOW);
    fprintf(out, "certdeck %s\n", CERTDECK_VERSION);
    fprintf(out, "  %-14s %s\n", "git:", CERTDECK_GIT_DESCRIBE);
    fprintf(out, "  %-14s %s (%s)\n", "libcurl:", cv->version,
            cv->ssl_version ? cv->ssl_version : "no TLS");
    fprintf(out, "  %-14s %s\n", "OpenSSL:", OpenSSL_version(OPENSSL_VERSION));
    fprintf(out, "  %-14s %s\n", "ncurses:", curses_version());
    fprintf(out, "  %-14s %s\n", "cJSON:", cJSON_Version());
    fprintf(out, "  %-14s %s\n", "libmicrohttpd:", MHD_get_version());
}

static bool exists(const char *p)
{
    struct stat sb;
    return stat(p, &sb) == 0;
}

static void print_path(FILE *out, const char *label, const char *path, const char *note)
{
    char *clean = sanitize_dup(path);
    fprintf(out, "  %-13s %s%s\n", label, clean, note);
    free(clean);
}

void about_print_paths(FILE *out, const struct config *cfg)
{
    char dir[PATHS_DIR_LEN];
    if (cfg->path[0]) {
        print_path(out, "config:", cfg->path, "");
    } else if (config_user_dir(dir, sizeof dir - 8) == 0) {
        strcat(dir, "/config");
        print_path(out, "config:", dir,
                   exists(dir) ? "" : " (none; `certdeck config --init` writes one)");
    }
    char dirs[PATHS_MAX_THEME_DIRS][PATHS_DIR_LEN];
    size_t n = paths_theme_dirs(dirs);
    for (size_t i = 0; i < n; i++)
        print_path(out, i ? "" : "themes:", dirs[i],
                   !exists(dirs[i]) ? " (absent)"
                   : i == n - 1     ? " (shipped)"
                                    : "");
    const char *home = getenv("HOME");
    const char *ini = getenv("TENCENTCLOUD_CREDENTIALS_FILE");
    if (ini && *ini) {
        print_path(out, "profiles:", ini, exists(ini) ? "" : " (absent)");
    } else if (home) {
        snprintf(dir, sizeof dir, "%s/.tencentcloud/credentials", home);
        print_path(out, "profiles:", dir, exists(dir) ? "" : " (absent)");
    }
    if (home) {
        snprintf(dir, sizeof dir, "%s/.tccli", home);
        print_path(out, "", dir, exists(dir) ? "" : " (absent)");
    }
}

struct theme_entry {
    char *name, *path;
};

static int by_name(const void *a, const void *b)
{
    return strcmp(((const struct theme_entry *)a)->name, ((const struct theme_entry *)b)->name);
}

void about_list_themes(FILE *out)
{
    char dirs[PATHS_MAX_THEME_DIRS][PATHS_DIR_LEN];
    size_t nd = paths_theme_dirs(dirs), n = 0, cap = 0;
    struct theme_entry *list = NULL;
    for (size_t i = 0; i < nd; i++) {
        DIR *d = opendir(dirs[i]);
        if (!d) continue;
        for (struct dirent *e; (e = readdir(d));) {
            size_t len = strlen(e->d_name);
            if (len <= 6 || e->d_name[0] == '.' || strcmp(e->d_name + len - 6, ".theme")) continue;
            char *name = xstrndup(e->d_name, len - 6);
            bool seen = false;
            for (size_t j = 0; j < n && !seen; j++)
                seen = strcmp(list[j].name, name) == 0;
            if (seen) {
                free(name);
                continue;
            }
            list = xgrow(list, &cap, n + 1, sizeof *list);
            list[n].name = name;
            list[n++].path = xasprintf("%s/%s", dirs[i], e->d_name);
        }
        closedir(d);
    }
    qsort(list, n, sizeof *list, by_name);
    for (size_t i = 0; i < n; i++) {
        char *name = sanitize_dup(list[i].name), *path = sanitize_dup(list[i].path);
        fprintf(out, "%s\t%s\n", name, path);
        free(name), free(path), free(list[i].name), free(list[i].path);
    }
    free(list);
}
