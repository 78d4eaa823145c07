# Shared setup for scripts/demo.sh and scripts/test.sh (sourced, not run).
# Installs what is missing, idempotently: Debian packages and a Rust toolchain.

SYSTEM_PACKAGES=(php8.2-cli php8.2-dev libclang-dev phpunit composer curl gcc libc6-dev ca-certificates)

die() { echo "error: $*" >&2; exit 1; }

missing_packages() {
    local p
    for p in "$@"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || echo "$p"
    done
}

ensure_packages() {
    command -v dpkg-query >/dev/null 2>&1 \
        || die "this script installs its packages with apt on Debian 12; install these yourself: ${SYSTEM_PACKAGES[*]}"
    local missing
    mapfile -t missing < <(missing_packages "${SYSTEM_PACKAGES[@]}")
    [ "${#missing[@]}" -eq 0 ] && return 0
    local sudo=""
    if [ "$(id -u)" -ne 0 ]; then
        command -v sudo >/dev/null 2>&1 \
            || die "not root and no sudo: install these packages as root: ${missing[*]}"
        sudo="sudo"
    fi
    grep -qs 'bookworm\|^12' /etc/debian_version /etc/os-release \
        || echo "warning: not Debian 12; trying apt anyway" >&2
    echo "installing: ${missing[*]}" >&2
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq \
        || die "apt-get update failed"
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null \
        || die "apt-get install failed for: ${missing[*]}"
}

ensure_rust() {
    if ! command -v cargo >/dev/null 2>&1 && [ -f "$HOME/.cargo/env" ]; then
        # shellcheck disable=SC1091
        . "$HOME/.cargo/env"
    fi
    if ! command -v cargo >/dev/null 2>&1; then
        echo "installing the Rust toolchain with rustup (minimal profile)" >&2
        curl --proto '=https' --tlsv1.2 -sSf https://sh.rustup.rs | sh -s -- -y --profile minimal >/dev/null \
            || die "rustup install failed"
        # shellcheck disable=SC1091
        . "$HOME/.cargo/env"
    fi
}

ensure_rust_components() {
    local c
    for c in rustfmt clippy; do
        if ! rustup component list --installed 2>/dev/null | grep -q "^$c"; then
            rustup component add "$c" >/dev/null 2>&1 || die "rustup component add $c failed"
        fi
    done
}

ensure_cargo_php() {
    if ! cargo php --version >/dev/null 2>&1; then
        echo "installing cargo-php 0.2.2 (stub generator)" >&2
        cargo install cargo-php --locked --version 0.2.2 --quiet || die "cargo install cargo-php failed"
    fi
}

export CARGO_TERM_COLOR=never RUST_BACKTRACE=0 COMPOSER_ALLOW_SUPERUSER=1
