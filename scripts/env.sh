# Sourced by lab.sh and test.sh: create (once) and activate the project's virtual environment.
# Idempotent: the install runs again only when pyproject.toml changed since the last install.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
VENV=${CRMLAB_VENV:-$ROOT/.venv}
PY=${PYTHON:-python3}
if [ ! -x "$VENV/bin/python" ]; then
  echo "crmlab: creating the virtual environment $VENV" >&2
  "$PY" -m venv "$VENV"
fi
STAMP="$VENV/.crmlab-installed"
WANT=$(cat "$ROOT/pyproject.toml" | sha256sum | cut -d' ' -f1)
if [ ! -f "$STAMP" ] || [ "$(cat "$STAMP")" != "$WANT" ]; then
  echo "crmlab: installing crmlab and its dependencies (first run takes a few minutes)" >&2
  # pip's notes about unreachable local mirrors are noise; real errors still show (and stop us)
  quiet_pip() { "$VENV/bin/python" -m pip "$@" 2>&1 | { grep -v -E "^WARNING: Location|^\s*$" || true; } >&2; return "${PIPESTATUS[0]}"; }
  quiet_pip install --quiet --upgrade pip
  quiet_pip install --quiet -e "$ROOT[test]"
  "$VENV/bin/python" -m ipykernel install --prefix "$VENV" --name python3 >/dev/null 2>&1 || true
  echo "$WANT" > "$STAMP"
fi
export PATH="$VENV/bin:$PATH"
export MPLBACKEND=${MPLBACKEND:-Agg}
