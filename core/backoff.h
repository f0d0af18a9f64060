/* The retry policy of one API call: which failed attempts are tried again, and how long to
 * wait before the next (exponential backoff with jitter, cut short by a cancel flag). */
#ifndef CERTDECK_BACKOFF_H
#define CERTDECK_BACKOFF_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/apierr.h"

/* The server answered RequestLimitExceeded (or one of its sub-codes). */
bool backoff_rate_limited(const struct api_error *e);
/* Whether an attempt that failed with e is worth another: a read when the error is retryable
 * (apierr_retryable: a 503, a reset, a truncated or undecodable body alike); a write only when
 * rate-limited, since the server did not act on it — any other failure of a write may have been
 * applied, and sending it again would apply it twice. */
bool backoff_should_retry(bool write, const struct api_error *e);
/* The delay before attempt + 1: "equal jitter", a delay in [d/2, d] for
 * d = base_ms * 2^(attempt-1), capped at 30 s. */
int64_t backoff_delay_ms(int64_t base_ms, int attempt);
/* Sleeps ms unless *cancel becomes set (cancel may be NULL); false when cancelled. */
bool backoff_sleep(int64_t ms, const atomic_int *cancel);

#endif
