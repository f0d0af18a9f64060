/* Tab completion of a file path typed in a prompt line, as a shell does it: the entries of the
 * directory typed so far that begin with the last part, extended to what they all share; "~"
 * and "~/" stand for the home directory. No curses: the prompt shows the result. */
#ifndef CERTDECK_PATHCOMP_H
#define CERTDECK_PATHCOMP_H

#include <stddef.h>

/* At most this many candidates are collected (a huge directory lists the first ones). */
#define PATHCOMP_MAX 4096

struct pathcomp {
    char *line;   /* the new input: what was typed, extended by what every candidate shares;
                     one candidate completes it, with a '/' when it is a directory */
    char **names; /* the candidates' names (last part only), sorted; directories end in '/' */
    size_t n;
};

/* Completes typed (home NULL: $HOME). Hidden entries are candidates only when the last part
 * begins with '.'; names with control characters or invalid UTF-8 never are (they could not
 * be shown or typed). A directory that cannot be read gives no candidate. Returns out->n;
 * out->line is always set. */
size_t pathcomp_complete(const char *typed, const char *home, struct pathcomp *out);
void pathcomp_free(struct pathcomp *c);
/* The path to open for what was typed: "~" and "~/..." with home (NULL: $HOME) put in; heap. */
char *pathcomp_expand(const char *typed, const char *home);

#endif
