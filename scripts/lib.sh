# Shared setup for scripts/demo.sh and scripts/test.sh (sourced, not run).
# Installs what is missing, idempotently: Debian packages and a Rust toolchain.

SYSTEM_PACKAGES=(php8.2-cli php8.2-dev libclang-dev phpunit composer curl gcc libc6-dev make ca-certificates)

die() { echo "error: $*" >&2; exit 1; }

missing_packages() {
    local p
    for p in "$@"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || echo "$p"
    done
}

# ensure_debs PKG...: installs the Debian packages that are missing (one apt call, none when
# nothing is missing).
ensure_debs() {
    command -v dpkg-query >/dev/null 2>&1 \
        || die "this script installs its packages with apt on Debian 12; install these yourself: $*"
    local missing
    mapfile -t missing < <(missing_packages "$@")
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

ensure_packages() {
    ensure_debs "${SYSTEM_PACKAGES[@]}"
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
    check_rust_version
}

# The crate's minimum Rust version (rust-version in Cargo.toml).
crate_rust_version() {
    sed -n 's/^rust-version *= *"\(.*\)".*/\1/p' Cargo.toml
}

# Fails, saying what to do, when cargo or rustc is older than Cargo.toml's rust-version.
check_rust_version() {
    local need have_rustc have_cargo v
    need="$(crate_rust_version)"
    [ -n "$need" ] || die "cannot read rust-version from Cargo.toml"
    have_rustc="$(rustc --version 2>/dev/null | awk '{print $2}')"
    have_cargo="$(cargo --version 2>/dev/null | awk '{print $2}')"
    for v in "rustc:$have_rustc" "cargo:$have_cargo"; do
        local tool="${v%%:*}" ver="${v#*:}"
        [ -n "$ver" ] || die "$tool does not run; install a Rust toolchain >= $need with rustup (https://rustup.rs)"
        ver="${ver%%-*}"
        if [ "$(printf '%s\n%s\n' "$need" "$ver" | sort -t. -k1,1n -k2,2n -k3,3n | head -n1)" != "$need" ]; then
            local fix="install rustup (https://rustup.rs) and put ~/.cargo/bin first on PATH"
            command -v rustup >/dev/null 2>&1 && fix="run 'rustup update stable' (or 'rustup default stable')"
            die "$tool $ver at $(command -v "$tool") is older than this crate's rust-version $need (Cargo.toml); $fix, then run this script again"
        fi
    done
}

# copy_source DEST: the files of a clone (tracked and untracked-but-not-ignored files of the
# work tree, with their modification times) copied into DEST, without .git or target/.
copy_source() {
    local dest="$1"
    rm -rf "$dest"
    mkdir -p "$dest"
    if git rev-parse --show-toplevel >/dev/null 2>&1 \
        && [ "$(git rev-parse --show-toplevel)" = "$(pwd -P)" ]; then
        git ls-files -z -c -o --exclude-standard \
            | while IFS= read -r -d '' f; do [ -e "$f" ] && printf '%s\0' "$f"; done \
            | tar --null -T - -cf - | tar -xf - -C "$dest"
    else
        tar --exclude=./target --exclude=./.git -cf - . | tar -xf - -C "$dest"
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
