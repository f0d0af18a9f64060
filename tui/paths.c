/* Run-time locations: XDG user directories and the shipped themes, found from the executable
 * (see paths.h for the order). No curses. */
#include "tui/paths.h"

#include <limits.h>
#include <stdbool.h>
#include <pthread.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/util.h"

/* Set by CMake: the source tree's themes/, the build directory, the configured datadir and the
 * relative path from the configured bindir to it. The fallbacks keep a hand build working. */
#ifndef CERTDECK_THEMES_DIR
#define CERTDECK_THEMES_DIR "themes"
#endif
#ifndef CERTDECK_BUILD_DIR
#define CERTDECK_BUILD_DIR ""
#endif
#ifndef CERTDECK_DATADIR
#define CERTDECK_DATADIR "/usr/local/share"
#endif
#ifndef CERTDECK_BINDIR_TO_DATADIR
#define CERTDECK_BINDIR_TO_DATADIR "../share"
#endif

int paths_xdg_dir(const char *var, const char *fallback, char *out, size_t outlen)
{
    const char *xdg = getenv(var);
    int n;
    if (xdg && xdg[0] == '/') {
        n = snprintf(out, outlen, "%s/certdeck", xdg);
    } else {
        const char *home = getenv("HOME");
        if (!home || !*home) {
            struct passwd *pw = getpwuid(getuid());
            home = pw ? pw->pw_dir : NULL;
        }
        if (!home || !*home) return -1;
        n = snprintf(out, outlen, "%s/%s/certdeck", home, fallback);
    }
    return n < 0 || (size_t)n >= outlen ? -1 : 0;
}

int paths_data_dir(char *out, size_t outlen)
{
    return paths_xdg_dir("XDG_DATA_HOME", ".local/share", out, outlen);
}

static bool is_dir(const char *p)
{
    struct stat sb;
    return stat(p, &sb) == 0 && S_ISDIR(sb.st_mode);
}

static char shipped[PATHS_DIR_LEN];
static pthread_once_t shipped_once = PTHREAD_ONCE_INIT;

static void find_shipped(void)
{
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n > 0) {
        exe[n] = '\0';
        char *slash = strrchr(exe, '/');
        if (slash) *slash = '\0';
        char build[PATH_MAX];
        if (CERTDECK_BUILD_DIR[0] && realpath(CERTDECK_BUILD_DIR, build) &&
            strcmp(build, exe) == 0) {
            strlcpy_safe(shipped, CERTDECK_THEMES_DIR, sizeof shipped);
            return;
        }
        snprintf(shipped, sizeof shipped, "%s/%s/certdeck/themes", exe, CERTDECK_BINDIR_TO_DATADIR);
        char real[PATH_MAX];
        if (is_dir(shipped) && realpath(shipped, real)) {
            strlcpy_safe(shipped, real, sizeof shipped);
            return;
        }
    }
    snprintf(shipped, sizeof shipped, "%s/certdeck/themes", CERTDECK_DATADIR);
}

const char *paths_shipped_themes(void)
{
    pthread_once(&shipped_once, find_shipped);
    return shipped;
}

size_t paths_theme_dirs(char dirs[PATHS_MAX_THEME_DIRS][PATHS_DIR_LEN])
{
    size_t n = 0;
    char d[PATHS_DIR_LEN - 8];
    if (paths_xdg_dir("XDG_CONFIG_HOME", ".config", d, sizeof d) == 0)
        snprintf(dirs[n++], PATHS_DIR_LEN, "%s/themes", d);
    if (paths_data_dir(d, sizeof d) == 0) snprintf(dirs[n++], PATHS_DIR_LEN, "%s/themes", d);
    strlcpy_safe(dirs[n++], paths_shipped_themes(), PATHS_DIR_LEN);
    return n;
}
