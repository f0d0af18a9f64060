/* The end of batch output: stdout is either written in full or the command says it was not.
 * A full disk or a pipe whose reader left (with SIGPIPE ignored, as Python's subprocess, CI
 * runners and systemd do) must not exit 0 with a truncated file. */
#ifndef CERTDECK_OUTPUT_H
#define CERTDECK_OUTPUT_H

#include <stdbool.h>
#include <stdio.h>

/* The exit code of a command whose output could not be written. */
#define OUTPUT_EXIT_CODE 7

/* Whether a write to out has failed; sinks call it right after their writes, so the first
 * failure's errno is kept for the report (a large write that fails leaves nothing in the
 * buffer for the final flush to fail on), and stop writing early once it has. */
bool output_failed(FILE *out);

/* Flushes and closes out. When any write to it failed (earlier or in the flush), prints
 * "certdeck: cannot write output: <reason>" on err and returns OUTPUT_EXIT_CODE; else 0. */
int output_close(FILE *out, FILE *err);

/* Registers an atexit handler that runs output_close(stdout, stderr) and, on failure, ends the
 * process with OUTPUT_EXIT_CODE — so every way out (return from main, exit() after --help)
 * is checked. A pipe whose reader left with SIGPIPE at its default still ends the process
 * silently, by the signal, as `certdeck records | head` users expect. */
void output_check_at_exit(void);

#endif
