# Shared by the scripts: where the project is, and a build that only does work when sources changed.
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CONFIGURATION="${SIPC_BUILD:-debug}"   # SIPC_BUILD=release for an optimised build
BIN="$ROOT/.build/$CONFIGURATION"

build() {
  (cd "$ROOT" && swift build -c "$CONFIGURATION" 2>&1 | grep -vE 'prohibited flag|^\[|^Building|^Compiling|^Write|^Build complete' >&2) || true
  [ -x "$BIN/sipc" ] || { echo "build failed: $BIN/sipc missing" >&2; exit 1; }
}
