# Sourced by scripts/up, scripts/test and scripts/console-screenshots, from the repository's
# root: makes .venv with $PYTHON (python3 by default) unless it has a working pip already. A
# .venv left without one, by a `python3 -m venv` that failed half-way, is made again rather
# than failing later at `pip install`.
make_venv() {
  local python=${PYTHON:-python3}
  if [ -x .venv/bin/python ] && .venv/bin/python -m pip --version >/dev/null 2>&1; then
    return
  fi
  if ! "$python" -m venv --clear .venv; then
    echo "error: '$python -m venv' could not make .venv: on Debian and Ubuntu it needs the" \
      "python3-venv package (apt-get install python3-venv); install it and run this again" >&2
    exit 1
  fi
}
