#!/usr/bin/env bash
# The classic build path, checked in a scratch copy of the source (called by scripts/test.sh):
#   phpize && ./configure --enable-agents-core && make && make install INSTALL_ROOT=<tmp>
# against the host's php-config, then
#   php -n -d extension_dir=<tmp>/<extension_dir> -d extension=agents_core --ri agents_core
# Also: configure stops with a clear message when cargo is missing or rustc is older than
# Cargo.toml's rust-version. Nothing is installed into the system: make install writes under
# INSTALL_ROOT. Cargo's build directory for the copy is cached in target/phpize-check/cargo.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
. scripts/lib.sh

PHP_CONFIG="${PHP_CONFIG:-$(command -v php-config)}"
PHPIZE="$(dirname "$PHP_CONFIG")/$(basename "$PHP_CONFIG" | sed 's/php-config/phpize/')"
[ -x "$PHPIZE" ] || die "no phpize next to $PHP_CONFIG"
PHP_BIN="$("$PHP_CONFIG" --php-binary)"
WORK="$PWD/target/phpize-check"
SRC="$WORK/src"
INSTALL_ROOT="$WORK/install"
export CARGO_TARGET_DIR="$WORK/cargo"

echo "scratch copy of the source (no .git): $SRC"
copy_source "$SRC"
rm -rf "$INSTALL_ROOT"
(
    cd "$SRC"
    "$PHPIZE" >"$WORK/phpize.log" 2>&1 || { cat "$WORK/phpize.log"; die "phpize failed"; }
    ./configure --enable-agents-core --with-php-config="$PHP_CONFIG" >"$WORK/configure.log" 2>&1 \
        || { tail -30 "$WORK/configure.log"; die "configure failed"; }
    grep -E "^checking (for cargo|for the rustc|whether rustc|for libclang)" "$WORK/configure.log"
    make >"$WORK/make.log" 2>&1 || { tail -40 "$WORK/make.log"; die "make failed"; }
    make install INSTALL_ROOT="$INSTALL_ROOT" >"$WORK/install.log" 2>&1 \
        || { cat "$WORK/install.log"; die "make install failed"; }
    cat "$WORK/install.log"
)
EXT_DIR="$INSTALL_ROOT$("$PHP_CONFIG" --extension-dir)"
[ -f "$EXT_DIR/agents_core.so" ] || die "make install did not install agents_core.so into $EXT_DIR"

INFO="$("$PHP_BIN" -n -d extension_dir="$EXT_DIR" -d extension=agents_core --ri agents_core)"
echo "$INFO"
API="$("$PHP_CONFIG" --phpapi)"
TS="disabled (NTS)"
[ "$("$PHP_BIN" -n -r 'echo PHP_ZTS;')" = 1 ] && TS="enabled (ZTS)"
for want in "agents_core support => enabled" "version => $(sed -n 's/^version *= *"\(.*\)"/\1/p' Cargo.toml | head -n1)" \
    "built for PHP API => $API" "built for thread safety => $TS" "source revision => unknown"; do
    grep -qF "$want" <<<"$INFO" || die "--ri agents_core of the phpize build lacks: $want"
done
"$PHP_BIN" -n -d extension_dir="$EXT_DIR" -d extension=agents_core \
    -r 'exit(Agents\Core\token_hash("x") === hash("sha256", "x") ? 0 : 1);' \
    || die "the phpize-built extension does not answer"
echo "phpize build: loaded with extension=agents_core from $EXT_DIR"

# configure's toolchain checks, with stand-in cargo/rustc binaries.
FAKE="$WORK/fake-rust"
rm -rf "$FAKE" && mkdir -p "$FAKE/bin"
printf '#!/bin/sh\necho "cargo 1.70.0 (fake)"\n' >"$FAKE/bin/cargo"
printf '#!/bin/sh\necho "rustc 1.70.0 (fake)"\n' >"$FAKE/bin/rustc"
chmod +x "$FAKE/bin/cargo" "$FAKE/bin/rustc"
cd "$SRC"
out="$(PATH="$FAKE/bin:/usr/bin:/bin" ./configure --with-php-config="$PHP_CONFIG" 2>&1 || true)"
grep -q "rustc 1.70.0 is too old: agents_core needs rustc $(crate_rust_version) or newer" <<<"$out" \
    || { echo "$out" | tail -5; die "configure did not refuse rustc 1.70.0"; }
echo "configure refuses an old rustc: $(grep -m1 'too old' <<<"$out")"
out="$(PATH=/usr/bin:/bin HOME="$FAKE" ./configure --with-php-config="$PHP_CONFIG" 2>&1 || true)"
grep -q "cargo not found" <<<"$out" || { echo "$out" | tail -5; die "configure did not report a missing cargo"; }
echo "configure reports a missing cargo: $(grep -m1 'cargo not found' <<<"$out")"
