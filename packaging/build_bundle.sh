#!/usr/bin/env bash
# Build SocialSafe as a one-folder app with PyInstaller, then smoke-test it.
#
#     packaging/build_bundle.sh            # build into dist/SocialSafe and test it
#     packaging/build_bundle.sh --no-smoke # build only
#
# Run from anywhere; paths are relative to the repository. Settings, from the
# environment:
#
#   PYTHON      the interpreter for a new build venv. Default: the first of
#               python3.12, python3.13 that runs (pyenv's too), else python3.
#               Release bundles should use Python 3.12 or newer (see
#               packaging/README.md); with an older one this script warns.
#   BUILD_VENV  the build venv, made if missing (default: build/bundle-venv).
#               Point it at an existing venv to reuse one.
#   DIST        where the bundle goes (default: dist); WORK: PyInstaller's
#               scratch folder (default: build/pyinstaller).
#
# Steps: make or reuse the venv; install SocialSafe with its `bundle` extra
# (PyInstaller); compile the translations; run PyInstaller with
# packaging/socialsafe.spec; run packaging/smoke_bundle.py on the result.
#
# This builds for the system it runs on: Linux here, Windows or macOS there
# (PyInstaller does not cross-compile). On Windows, run the same steps by hand
# as packaging/README.md shows, then the Inno Setup script.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

SMOKE=1
for arg in "$@"; do
    case "$arg" in
        --no-smoke) SMOKE=0 ;;
        -h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
        *) echo "build_bundle.sh: unknown option $arg (try --help)" >&2; exit 2 ;;
    esac
done

BUILD_VENV="${BUILD_VENV:-$ROOT/build/bundle-venv}"
DIST="${DIST:-$ROOT/dist}"
WORK="${WORK:-$ROOT/build/pyinstaller}"

runs() { "$1" -c 'import sys; sys.exit(sys.version_info < (3, 11))' >/dev/null 2>&1; }

choose_python() {
    local candidate root
    for candidate in python3.12 python3.13; do
        if runs "$candidate"; then echo "$candidate"; return; fi
    done
    # pyenv keeps other versions out of PATH until asked for them.
    if command -v pyenv >/dev/null 2>&1; then
        root="$(pyenv root)"
        for candidate in "$root"/versions/3.12*/bin/python3.12 "$root"/versions/3.13*/bin/python3.13; do
            if [ -x "$candidate" ] && runs "$candidate"; then echo "$candidate"; return; fi
        done
    fi
    echo python3
}

if [ ! -x "$BUILD_VENV/bin/python" ]; then
    PYTHON="${PYTHON:-$(choose_python)}"
    echo "==> Making the build venv $BUILD_VENV with $PYTHON"
    "$PYTHON" -m venv "$BUILD_VENV"
fi
VPY="$BUILD_VENV/bin/python"
if ! "$VPY" -c 'import sys; sys.exit(sys.version_info < (3, 12))'; then
    echo "warning: building with Python $("$VPY" -c 'import platform; print(platform.python_version())');" \
        "use 3.12 or newer for a release bundle (packaging/README.md)" >&2
fi

echo "==> Installing SocialSafe and PyInstaller into the build venv"
"$VPY" -m pip install --quiet --disable-pip-version-check --upgrade pip
"$VPY" -m pip install --quiet --disable-pip-version-check "$ROOT[bundle]"

echo "==> Compiling translations"
"$VPY" packaging/translations.py compile

echo "==> Running PyInstaller ($("$VPY" -m PyInstaller --version), Python $("$VPY" -c 'import platform; print(platform.python_version())'))"
start=$SECONDS
"$VPY" -m PyInstaller --noconfirm --clean --log-level WARN \
    --distpath "$DIST" --workpath "$WORK" packaging/socialsafe.spec
echo "    built $DIST/SocialSafe in $((SECONDS - start)) s: $(du -sh "$DIST/SocialSafe" | cut -f1)"

if [ "$SMOKE" = 1 ]; then
    echo "==> Smoke test"
    QT_QPA_PLATFORM=offscreen "$VPY" packaging/smoke_bundle.py "$DIST/SocialSafe"
fi

version="$("$VPY" -c 'import re, pathlib; print(re.search(r"__version__ = \"(.+)\"", pathlib.Path("src/socialsafe/__init__.py").read_text()).group(1))')"
echo "==> Done: $DIST/SocialSafe (SocialSafe $version)."
echo "    On Windows, the installer is then: iscc /DAppVersion=$version packaging\\windows\\socialsafe.iss"
