#!/usr/bin/env bash
# Puts `kuke` and `kukeond` on the PATH: a symlink for each in ${KUKEON_BIN_DIR:-/usr/local/bin}
# into this checkout's build (so a rebuild is picked up without installing again). `npm run
# quickstart` runs it; `kuke uninstall` removes the links (and only links into a kukeon build).
set -euo pipefail
cd "$(dirname "$0")/.."

bin=${KUKEON_BIN_DIR:-/usr/local/bin}
for f in dist/kuke/kuke.cjs dist/src/daemon/kukeond.js; do
  if [[ ! -f $f ]]; then
    echo "install-bin: $f is missing: build first (npm run build)" >&2
    exit 1
  fi
done
mkdir -p "$bin"
chmod 755 dist/kuke/kuke.cjs dist/src/daemon/kukeond.js
for pair in kuke:dist/kuke/kuke.cjs kukeond:dist/src/daemon/kukeond.js; do
  name=${pair%%:*}
  target=$PWD/${pair#*:}
  link=$bin/$name
  # Never replace a binary installed some other way (a package, a copy): only our links.
  if [[ -e $link && ! -L $link ]]; then
    echo "install-bin: $link exists and is not a symlink; not replaced (remove it first)" >&2
    exit 1
  fi
  ln -sfn "$target" "$link"
  echo "install-bin: $link -> $target"
done
case ":$PATH:" in
  *":$bin:"*) ;;
  *) echo "install-bin: note: $bin is not on your PATH" >&2 ;;
esac
