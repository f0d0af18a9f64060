/* Where certdeck finds its files at run time: the user's XDG directories and the themes it
 * ships. The shipped themes are found from the running executable, so an installed copy works
 * from any directory (and from a DESTDIR or `dpkg -x` tree) with no build tree, while a binary
 * in the build tree keeps using the source tree's themes/. No curses here. */
#ifndef CERTDECK_PATHS_H
#define CERTDECK_PATHS_H

#include <stddef.h>

/* "$<var>/certdeck" when the environment variable var holds an absolute path, else
 * "$HOME/<fallback>/certdeck" (HOME from the password database when unset): the XDG rule.
 * Returns 0, or -1 when no home is known or the result does not fit. */
int paths_xdg_dir(const char *var, const char *fallback, char *out, size_t outlen);
/* $XDG_DATA_HOME/certdeck (~/.local/share/certdeck). Same contract as paths_xdg_dir. */
int paths_data_dir(char *out, size_t outlen);
/* The directory of themes this copy ships, computed once:
 *   - the source tree's themes/ when the running program lives in the build directory;
 *   - else <dir of the executable>/<bindir-to-datadir>/certdeck/themes when it is a directory
 *     (the install prefix, wherever the tree was copied);
 *   - else the configured <datadir>/certdeck/themes.
 * Never NULL. */
const char *paths_shipped_themes(void);

#define PATHS_MAX_THEME_DIRS 3
#define PATHS_DIR_LEN        4160
/* The directories a theme name is looked up in, first match wins: the user's
 * $XDG_CONFIG_HOME/certdeck/themes, $XDG_DATA_HOME/certdeck/themes, then the shipped themes.
 * Returns how many were written (a user directory is left out when no home is known). */
size_t paths_theme_dirs(char dirs[PATHS_MAX_THEME_DIRS][PATHS_DIR_LEN]);

#endif
