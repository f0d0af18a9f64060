/* Shared scripted-TUI harness: see harness.h. */
#include "tui/harness.h"
