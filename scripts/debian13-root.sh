# A Debian 13 (trixie) root with PHP 8.4, for building and testing the extension against a
# second PHP version on a Debian 12 machine (sourced by scripts/php84.sh and scripts/dist.sh).
#
# The root is made once with debootstrap and cached under target/debian13-root; the marker file
# is written only after debootstrap succeeded (it works in a .partial directory that is moved
# into place), so an interrupted run starts over instead of reusing half a root. The repository (read-only), the Cargo home and the rustup home are
# bind-mounted into it for the duration of a command; every mount is undone by an EXIT trap,
# in reverse order, also when the command fails or is interrupted. The package list is checked
# at every run and what is missing is installed (a root made by an older list is completed).

D13_ROOT="${D13_ROOT:-$PWD/target/debian13-root}"
D13_MIRROR="${D13_MIRROR:-http://deb.debian.org/debian}"
# Packages installed in the root (one apt call). phpunit: Debian 13's PHPUnit (11.x), which runs
# the same phpunit.xml.dist as Debian 12's 9.6. curl: the end-to-end tests drive php -S with it.
D13_PACKAGES=(php8.4-cli php8.4-dev phpunit libclang-dev gcc libc6-dev make ca-certificates curl)
D13_MARKER_TEXT="agents_core debian13 root: debootstrap --variant=minbase trixie"
D13_MOUNTS=()

# The base system is complete (debootstrap finished and the marker was written after it).
d13_base_valid() {
    [ -f "$D13_ROOT/.agents-core-root" ] \
        && [ "$(cat "$D13_ROOT/.agents-core-root")" = "$D13_MARKER_TEXT" ] \
        && [ -x "$D13_ROOT/usr/bin/apt-get" ] && [ -x "$D13_ROOT/usr/bin/dpkg-query" ]
}

d13_missing_packages() {
    local p
    for p in "${D13_PACKAGES[@]}"; do
        chroot "$D13_ROOT" dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || echo "$p"
    done
}

# Mount points below the root, deepest first.
d13_mounts_below() {
    local r
    r="$(realpath -m "$D13_ROOT")"
    awk -v r="$r" '$2 == r || index($2, r "/") == 1 { print length($2) " " $2 }' /proc/self/mounts \
        | sort -rn | cut -d' ' -f2-
}

# Undoes mounts left by a run that was killed before its trap ran, then fails if anything is
# still mounted below the root (never delete or reuse a root with live mounts: they reach the
# repository and the Rust toolchain).
d13_assert_unmounted() {
    local m
    while IFS= read -r m; do
        [ -n "$m" ] || continue
        echo "unmounting a stale mount: $m" >&2
        umount "$m" 2>/dev/null || umount -l "$m" || true
    done < <(d13_mounts_below)
    if [ -n "$(d13_mounts_below)" ]; then
        die "something is still mounted below $D13_ROOT (see /proc/self/mounts); unmount it first"
    fi
}

d13_ensure_root() {
    [ "$(id -u)" -eq 0 ] || die "the Debian 13 root needs root (debootstrap, chroot, mount)"
    d13_assert_unmounted
    if ! d13_base_valid; then
        ensure_debs debootstrap
        local tmp="$D13_ROOT.partial"
        echo "making the Debian 13 root in $D13_ROOT (debootstrap, then the PHP 8.4 packages)" >&2
        rm -rf "$tmp" "$D13_ROOT"
        mkdir -p "$(dirname "$D13_ROOT")"
        debootstrap --variant=minbase trixie "$tmp" "$D13_MIRROR" >"$tmp.log" 2>&1 \
            || { tail -20 "$tmp.log" >&2; die "debootstrap trixie failed (log: $tmp.log)"; }
        echo "$D13_MARKER_TEXT" >"$tmp/.agents-core-root"
        rm -f "$tmp.log"
        mv "$tmp" "$D13_ROOT"
    fi
    local missing
    mapfile -t missing < <(d13_missing_packages)
    if [ "${#missing[@]}" -gt 0 ]; then
        echo "installing in the Debian 13 root: ${missing[*]}" >&2
        cp /etc/resolv.conf "$D13_ROOT/etc/resolv.conf" 2>/dev/null || true
        mount -t proc proc "$D13_ROOT/proc"
        local rc=0
        chroot "$D13_ROOT" env DEBIAN_FRONTEND=noninteractive PATH=/usr/sbin:/usr/bin:/sbin:/bin sh -c \
            "apt-get update -qq && apt-get install -y -qq --no-install-recommends ${missing[*]} >/dev/null 2>/tmp/apt.err || { cat /tmp/apt.err; exit 1; }; apt-get clean" \
            || rc=$?
        umount "$D13_ROOT/proc"
        [ "$rc" -eq 0 ] || die "apt-get install in the Debian 13 root failed: ${missing[*]}"
        mapfile -t missing < <(d13_missing_packages)
        [ "${#missing[@]}" -eq 0 ] || die "still missing in the Debian 13 root: ${missing[*]}"
    fi
    [ -x "$D13_ROOT/usr/bin/php8.4" ] || die "the Debian 13 root has no php8.4"
}

d13_unmount_all() {
    local i
    for ((i = ${#D13_MOUNTS[@]} - 1; i >= 0; i--)); do
        umount "${D13_MOUNTS[$i]}" 2>/dev/null || umount -l "${D13_MOUNTS[$i]}" || true
    done
    D13_MOUNTS=()
}

d13_bind() { # d13_bind SRC DST [ro]
    mkdir -p "$2"
    mount --bind "$1" "$2"
    D13_MOUNTS+=("$2")
    if [ "${3:-}" = ro ]; then
        mount -o remount,bind,ro "$2"
    fi
}

# Mounts proc, /dev/shm, the repository at /src (read-only), the Cargo and rustup homes.
d13_mount() {
    trap d13_unmount_all EXIT
    trap 'exit 130' INT TERM
    mount -t proc proc "$D13_ROOT/proc"
    D13_MOUNTS+=("$D13_ROOT/proc")
    mkdir -p "$D13_ROOT/dev/shm"
    mount -t tmpfs -o size=64m tmpfs "$D13_ROOT/dev/shm"
    D13_MOUNTS+=("$D13_ROOT/dev/shm")
    d13_bind "$PWD" "$D13_ROOT/src" ro
    d13_bind "${CARGO_HOME:-$HOME/.cargo}" "$D13_ROOT/root/.cargo"
    d13_bind "${RUSTUP_HOME:-$HOME/.rustup}" "$D13_ROOT/root/.rustup" ro
    mkdir -p "$D13_ROOT/build"
}

# Runs a shell command line inside the root, in /src, with the Rust toolchain on PATH.
d13_run() {
    chroot "$D13_ROOT" env -i HOME=/root PATH=/root/.cargo/bin:/usr/sbin:/usr/bin:/sbin:/bin \
        CARGO_HOME=/root/.cargo RUSTUP_HOME=/root/.rustup CARGO_TARGET_DIR=/build/target \
        CARGO_TERM_COLOR=never RUST_BACKTRACE=0 LANG=C.UTF-8 \
        AGENTS_CORE_REVISION="${AGENTS_CORE_REVISION:-}" \
        sh -c "cd /src && $1"
}
