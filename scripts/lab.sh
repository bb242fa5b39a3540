#!/usr/bin/env bash
# Set up (once), simulate the embedded default database (once), and open JupyterLab on labs/.
#   bash scripts/lab.sh                 # then open the URL it prints
#   bash scripts/lab.sh --no-browser    # extra arguments go to `jupyter lab`
set -euo pipefail
source "$(dirname "$0")/env.sh"
crmlab simulate --if-exists auto
cd "$ROOT/labs"
unset MPLBACKEND
extra=()
[ "$(id -u)" = "0" ] && extra+=(--allow-root)    # containers often run as root; JupyterLab refuses without it
exec jupyter lab "${extra[@]}" "$@"
