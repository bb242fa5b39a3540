#!/usr/bin/env bash
# Set up (once) and run the whole test suite: the package tests and every lab notebook (nbval).
# PostgreSQL cases run when CRMLAB_PG_URL is set (.ci/run starts a server); they skip otherwise.
#   bash scripts/test.sh                # extra arguments go to pytest, e.g. -k simulate
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$ROOT"
JOBS=${CRMLAB_TEST_JOBS:-2}
exec python -m pytest -n "$JOBS" --dist loadfile --nbval-lax tests labs "$@"
