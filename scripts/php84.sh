#!/usr/bin/env bash
# PHP 8.4 leg of the test command (called by scripts/test.sh; runs alone too, as root).
#
# In a Debian 13 root with PHP 8.4 (scripts/debian13-root.sh, cached under target/):
#   1. builds the extension the way PIE and pecl do, in a scratch copy of the source:
#      phpize8.4, ./configure --with-php-config=php-config8.4, make, make install into a
#      temporary INSTALL_ROOT (cargo's build directory is kept in the root, so re-runs are warm);
#   2. loads it with `extension=agents_core` from that extension_dir and checks `--ri`;
#   3. runs the stub contract check and the PHPUnit configuration (phpunit.xml.dist, every
#      suite in it) with Debian 13's PHPUnit against PHP 8.4;
#   4. checks that PHP refuses a module built for another PHP with its own message, both ways
#      (the 8.4 module in the host's PHP 8.2, the host's 8.2 module in PHP 8.4).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
. scripts/lib.sh
. scripts/debian13-root.sh

step() { printf '\n==> [php8.4] %s\n' "$*"; }

HOST_SO="${HOST_SO:-$PWD/target/release/libagents_core.so}"
AGENTS_CORE_REVISION="$(git describe --always --tags --dirty --abbrev=12 2>/dev/null || echo unknown)"
export AGENTS_CORE_REVISION

step "Debian 13 root with PHP 8.4 ($D13_ROOT)"
d13_ensure_root
d13_mount
d13_run 'php8.4 -v | head -n 1; phpunit --version'

step "phpize build in a scratch copy (phpize8.4, configure, make, make install INSTALL_ROOT=...)"
copy_source "$D13_ROOT/build/src"
rm -rf "$D13_ROOT/build/install"
d13_run 'cd /build/src && phpize8.4 >/build/phpize.log 2>&1 \
    && ./configure --enable-agents-core --with-php-config=/usr/bin/php-config8.4 >/build/configure.log 2>&1 \
    && make >/build/make.log 2>&1 && make install INSTALL_ROOT=/build/install >/build/install.log' \
    || { tail -n 30 "$D13_ROOT"/build/{configure,make,install}.log 2>/dev/null; die "phpize build for PHP 8.4 failed"; }
EXT_DIR="$(d13_run 'php-config8.4 --extension-dir')"
API="$(d13_run 'php-config8.4 --phpapi')"
SO84="/build/install$EXT_DIR/agents_core.so"
[ -f "$D13_ROOT$SO84" ] || die "make install did not put agents_core.so in $EXT_DIR (under INSTALL_ROOT)"
echo "installed: $SO84 (PHP API $API)"

step "php8.4 -d extension_dir=... -d extension=agents_core --ri agents_core"
INFO="$(d13_run "php8.4 -n -d extension_dir=/build/install$EXT_DIR -d extension=agents_core --ri agents_core")"
echo "$INFO"
for want in "agents_core support => enabled" "built for PHP API => $API" \
    "built for thread safety => disabled (NTS)" "source revision => $AGENTS_CORE_REVISION"; do
    grep -qF "$want" <<<"$INFO" || die "php8.4 --ri agents_core lacks: $want"
done

step "stub drift on PHP 8.4: reflection of the built extension vs php-stubs/"
d13_run "php8.4 -n tools/stub-check.php dump-stubs php-stubs > /build/contract-stubs.json \
    && php8.4 -n -d extension=$SO84 tools/stub-check.php dump-ext > /build/contract-ext.json \
    && php8.4 -n tools/stub-check.php diff /build/contract-stubs.json /build/contract-ext.json"

step "PHPUnit on PHP 8.4 (phpunit.xml.dist: every suite)"
d13_run "AGENTS_CORE_SO=$SO84 php8.4 -d extension=$SO84 /usr/bin/phpunit --do-not-cache-result"

step "a module built for another PHP is refused with PHP's own message"
[ -f "$HOST_SO" ] || die "host module $HOST_SO not built (cargo build --release)"
HOST_API="$(php-config --phpapi)"
out="$(php -n -d extension="$D13_ROOT$SO84" -r 'echo extension_loaded("agents_core") ? "LOADED" : "NOT LOADED";' 2>&1 || true)"
echo "host PHP $(php -r 'echo PHP_VERSION;') loading the PHP 8.4 module:"
echo "$out" | sed 's/^/    /'
# The PHP 8.4 module is linked against Debian 13's C library: when it needs symbols Debian 12's
# glibc lacks (aws-lc's C code does), the dynamic loader refuses it before PHP reads its API
# number, and PHP reports that instead. Either way the module must not load and PHP must say why.
if grep -qF "Unable to load dynamic library" <<<"$out" && grep -qE "GLIBC_[0-9.]+' not found" <<<"$out"; then
    wants=("Unable to load dynamic library" "NOT LOADED")
else
    wants=("Module compiled with module API=$API" "PHP    compiled with module API=$HOST_API"
        "These options need to match" "NOT LOADED")
fi
for want in "${wants[@]}"; do
    grep -qF "$want" <<<"$out" || die "PHP $HOST_API did not refuse the $API module as expected (missing: $want)"
done
cp "$HOST_SO" "$D13_ROOT/build/host-module.so"
out="$(d13_run 'php8.4 -n -d extension=/build/host-module.so -r "echo extension_loaded(\"agents_core\") ? \"LOADED\" : \"NOT LOADED\";" 2>&1' || true)"
echo "PHP 8.4 loading the host module:"
echo "$out" | sed 's/^/    /'
for want in "Module compiled with module API=$HOST_API" "PHP    compiled with module API=$API" \
    "These options need to match" "NOT LOADED"; do
    grep -qF "$want" <<<"$out" || die "PHP $API did not refuse the $HOST_API module as expected (missing: $want)"
done

echo
echo "PHP 8.4 leg passed: PHP $(d13_run 'php8.4 -r "echo PHP_VERSION;"') (API $API, NTS) in the Debian 13 root"
