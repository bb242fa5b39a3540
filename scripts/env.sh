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
  echo "crmlab: installing crmlab and its dependencies into $VENV (first run: about 3 minutes)" >&2
  # One short line per package instead of pip's wall of text or minutes of silence. pip's notes
  # about unreachable mirrors and setuptools' editable-install warning box are noise (PYTHONWARNINGS
  # reaches the build backend's own process); errors and anything unexpected still show.
  progress_pip() {
    PYTHONWARNINGS=ignore "$VENV/bin/python" -m pip "$@" 2>&1 | {
      n=0; tty=0; [ -t 2 ] && tty=1
      while IFS= read -r line; do
        case "$line" in
          Collecting\ *|Processing\ *)
            n=$((n + 1)); name=${line#* }; name=${name##*/}; name=${name%% *}
            if [ "$tty" = 1 ]; then printf '\rcrmlab: [%3d] %-50.50s' "$n" "$name" >&2
            elif [ $((n % 20)) = 0 ]; then echo "crmlab: $n packages so far ($name)" >&2; fi ;;
          "Installing collected packages:"*) [ "$tty" = 1 ] && echo >&2; echo "crmlab: installing $n packages..." >&2 ;;
          Successfully\ installed*) echo "crmlab: installed" >&2 ;;
          Requirement\ already*|Using\ cached*|Downloading*|Obtaining*|Installing\ build*|Checking\ if*|Getting\ requirements*|Preparing\ *|Building\ *|Created\ wheel*|Stored\ in*|Attempting*|Found\ existing*|Not\ uninstalling*|Can\'t\ uninstall*|Uninstalling*|*"Successfully uninstalled"*|Successfully\ built*|Looking\ in*|INFO:*|WARNING:\ Location*|"  "*|"") ;;
          *) echo "$line" >&2 ;;
        esac
      done
    }
    return "${PIPESTATUS[0]}"
  }
  progress_pip install --upgrade pip
  progress_pip install -e "$ROOT[test]"
  "$VENV/bin/python" -m ipykernel install --prefix "$VENV" --name python3 >/dev/null 2>&1 || true
  echo "$WANT" > "$STAMP"
fi
export PATH="$VENV/bin:$PATH"
export MPLBACKEND=${MPLBACKEND:-Agg}
