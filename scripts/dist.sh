#!/usr/bin/env bash
# Release artifacts for every PHP version available on this machine, named the way PIE names
# pre-packaged binaries:
#   dist/php_agents_core-<version>_php<X.Y>-<arch>-linux-glibc-<nts|zts>.zip  (agents_core.so, LICENSE)
#   dist/SHA256SUMS
# PHP 8.2 is the host's (Debian 12); PHP 8.4 is built in the Debian 13 root of scripts/php84.sh
# (made on first use, needs root; DIST_SKIP_DEBIAN13=1 skips it). Each module is built with the
# `dist` profile (fat LTO) against that PHP's php-config, loaded once by that PHP to check it,
# then zipped. Other targets (aarch64, musl, macOS): see docs/releasing.md.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
. scripts/lib.sh

ensure_packages
ensure_rust
ensure_debs zip

VERSION="$(sed -n 's/^version *= *"\(.*\)"/\1/p' Cargo.toml | head -n1)"
ARCH="$(uname -m)"
AGENTS_CORE_REVISION="$(git describe --always --tags --dirty --abbrev=12 2>/dev/null || echo unknown)"
export AGENTS_CORE_REVISION
DIST="$PWD/dist"
STAGE="$PWD/target/dist-stage"
rm -rf "$DIST" "$STAGE"
mkdir -p "$DIST" "$STAGE"

# package SO PHP_XY TS: zips SO as agents_core.so under the PIE name.
package() {
    local so="$1" xy="$2" ts="$3"
    local name="php_agents_core-${VERSION}_php${xy}-${ARCH}-linux-glibc-${ts}"
    rm -rf "${STAGE:?}/$name" && mkdir -p "$STAGE/$name"
    cp "$so" "$STAGE/$name/agents_core.so"
    cp LICENSE "$STAGE/$name/LICENSE"
    (cd "$STAGE/$name" && zip -q -X "$DIST/$name.zip" agents_core.so LICENSE)
    echo "dist/$name.zip"
}

# Host PHP versions (Debian installs php-configX.Y side by side).
for pc in /usr/bin/php-config[0-9]*; do
    [ -x "$pc" ] || continue
    xy="${pc##*/php-config}"
    php_bin="$("$pc" --php-binary)"
    echo "==> PHP $xy (host, $pc)"
    PHP="$php_bin" PHP_CONFIG="$pc" CARGO_TARGET_DIR="$PWD/target/dist-php$xy" \
        cargo build --locked --lib --profile dist
    so="$PWD/target/dist-php$xy/dist/libagents_core.so"
    "$php_bin" -n -d extension="$so" --ri agents_core | grep -E "version|source revision|built for"
    ts=nts
    [ "$("$php_bin" -n -r 'echo PHP_ZTS;')" = 1 ] && ts=zts
    package "$so" "$xy" "$ts"
done

if [ "${DIST_SKIP_DEBIAN13:-0}" != 1 ]; then
    . scripts/debian13-root.sh
    echo "==> PHP 8.4 (Debian 13 root)"
    d13_ensure_root
    d13_mount
    d13_run 'CARGO_TARGET_DIR=/build/target-dist PHP=/usr/bin/php8.4 PHP_CONFIG=/usr/bin/php-config8.4 cargo build --locked --lib --profile dist'
    d13_run 'php8.4 -n -d extension=/build/target-dist/dist/libagents_core.so --ri agents_core' | grep -E "version|source revision|built for"
    ts=nts
    [ "$(d13_run 'php8.4 -n -r "echo PHP_ZTS;"')" = 1 ] && ts=zts
    package "$D13_ROOT/build/target-dist/dist/libagents_core.so" 8.4 "$ts"
    d13_unmount_all
fi

(cd "$DIST" && sha256sum -- *.zip >SHA256SUMS && sha256sum -c --quiet SHA256SUMS)
echo "==> dist/"
ls -l "$DIST"
cat "$DIST/SHA256SUMS"
