# Sourced by ./run and ./test: makes sure uv and the project's virtualenv exist.
# uv is installed into .tools/ (never into the system) when it is not on PATH.
export UV_PYTHON_DOWNLOADS=never
export UV_PROJECT_ENVIRONMENT="${UV_PROJECT_ENVIRONMENT:-$PWD/.venv}"

# The interpreter for the venv: the pinned 3.12 when there is one, else any Python ≥ 3.12.
find_python() {
  local candidate
  for candidate in python3.12 python3.13 python3.14 python3; do
    if command -v "$candidate" >/dev/null 2>&1 &&
      "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null; then
      command -v "$candidate"
      return 0
    fi
  done
  echo "Coworklib needs Python ≥ 3.12 (none found on PATH)" >&2
  return 1
}

find_uv() {
  if command -v uv >/dev/null 2>&1; then
    UV=$(command -v uv)
  elif [ -x .tools/uv/bin/uv ]; then
    UV=$PWD/.tools/uv/bin/uv
  else
    echo "→ uv not found: installing it into .tools/uv" >&2
    python3 -m venv .tools/uv >&2
    .tools/uv/bin/python -m pip install --quiet --disable-pip-version-check uv >&2
    UV=$PWD/.tools/uv/bin/uv
  fi
  export UV
}

find_uv
"$UV" sync --locked --quiet --python "$(find_python)"
PYTHON="$UV_PROJECT_ENVIRONMENT/bin/python"
export PYTHON
