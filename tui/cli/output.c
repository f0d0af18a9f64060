/* The end of batch output: flush, close and report a failed write of stdout (see output.h). */
#include "tui/cli/output.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int first_errno; /* of the first failed write seen by output_failed */

bool output_failed(FILE *out)
{
    if (!ferror(out)) return false;
    if (!first_errno) first_errno = errno ? errno : EIO;
    return true;
}

int output_close(FILE *out, FILE *err)
{
    bool failed = ferror(out) != 0;
    /* glibc keeps what a failed write could not take in its buffer, so the flush tries again
     * and fails with the same errno (ENOSPC, EPIPE); a large write that failed left nothing
     * to flush, which is why output_failed kept its errno. */
    errno = 0;
    int flush_errno = fflush(out) == EOF ? errno : 0;
    if (flush_errno) failed = true;
    errno = 0;
    int close_errno = fclose(out) == EOF ? errno : 0;
    if (close_errno) failed = true;
    if (!failed) return 0;
    int why = first_errno ? first_errno : flush_errno ? flush_errno : close_errno;
    fprintf(err, "certdeck: cannot write output: %s\n", strerror(why ? why : EIO));
    return OUTPUT_EXIT_CODE;
}

static void check_stdout(void)
{
    if (output_close(stdout, stderr) != 0) _exit(OUTPUT_EXIT_CODE);
}

void output_check_at_exit(void)
{
    atexit(check_stdout);
}
