# Sourced by ./run and ./test: makes sure uv and the project's virtualenv exist.
# uv is installed into .tools/ (never into the system) when it is not on PATH.
export UV_PYTHON_DOWNLOADS=never
export UV_PROJECT_ENVIRONMENT="${UV_PROJECT_ENVIRONMENT:-$PWD/.venv}"

find_uv() {
  if command -v uv >/dev/null 2>&1; then
    UV=$(command -v uv)
  elif [ -x .tools/uv/bin/uv ]; then
    UV=$PWD/.tools/uv/bin/uv
  else
    echo "→ uv not found: installing it into .tools/uv" >&2
    local python
    python=$(command -v python3.12 || command -v python3.13 || command -v python3)
    "$python" -m venv .tools/uv >&2
    .tools/uv/bin/python -m pip install --quiet --disable-pip-version-check uv >&2
    UV=$PWD/.tools/uv/bin/uv
  fi
  export UV
}

find_uv
"$UV" sync --locked --quiet
PYTHON="$UV_PROJECT_ENVIRONMENT/bin/python"
export PYTHON
