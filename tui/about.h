/* What this copy of certdeck is and where it looks: `--version` (version, git describe from
 * configure time, the libraries it runs with), the paths `doctor` reports, and `certdeck
 * themes` (the theme names the shell completion offers). */
#ifndef CERTDECK_ABOUT_H
#define CERTDECK_ABOUT_H

#include <stdio.h>

#include "tui/config.h"

/* "certdeck 0.1.0", then "  git: …" and one line per library (curl, OpenSSL, ncurses, cJSON,
 * libmicrohttpd) with the version found at run time. */
void about_print_version(FILE *out);
/* Doctor's lines: the config file (cfg->path, or the default location and whether it exists),
 * the theme directories in lookup order, the credential files. Each value sanitized. */
void about_print_paths(FILE *out, const struct config *cfg);
/* One line per theme name found, "NAME<TAB>PATH", sorted by name; a user's theme shadows a
 * shipped one of the same name, as theme_load() does. */
void about_list_themes(FILE *out);

#endif
