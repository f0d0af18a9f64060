/* `certdeck config`: write a commented configuration with every setting and its default
 * (--init, refusing to overwrite; --example to stdout) and validate one (--check), naming each
 * problem with file and line. Reads through the same config reader, key table and theme loader
 * the TUI uses, so a file that checks clean starts clean. No curses. */
#ifndef CERTDECK_CONFIG_CMD_H
#define CERTDECK_CONFIG_CMD_H

#include <stdio.h>

/* The commented default configuration (every setting, commented out, with its default). */
void config_cmd_example(FILE *out);
/* Writes the example to path, or to $XDG_CONFIG_HOME/certdeck/config when path is NULL
 * (creating the directory, mode 0700). Refuses when the file exists. Returns an exit code:
 * 0 written, 2 refused or failed (the reason on stderr). */
int config_cmd_init(const char *path);
/* Validates path (NULL: the default location) as the TUI would read it: settings, bind lines
 * against the key table, the theme it names. Prints each problem as "file:line: what" and a
 * summary on stdout. Returns 0 when clean, 2 when there is a problem or the file is unreadable. */
int config_cmd_check(const char *path);

#endif
