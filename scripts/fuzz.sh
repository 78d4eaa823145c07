#!/usr/bin/env bash
# Runs every cargo-fuzz target (or the ones named) for SECONDS each, two at a time, starting
# from the committed seeds (fuzz/seeds/<target>). Findings land in fuzz/artifacts/<target>/;
# keep each as a regression test. Needs the nightly toolchain and cargo-fuzz.
#   bash scripts/fuzz.sh [SECONDS] [TARGET...]        (default 600 s per target)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../fuzz"
SECONDS_PER_TARGET="${1:-600}"
shift || true
command -v cargo >/dev/null || { [ -f "$HOME/.cargo/env" ] && . "$HOME/.cargo/env"; }
rustup toolchain list | grep -q nightly || rustup toolchain install nightly --profile minimal
cargo +nightly fuzz --version >/dev/null 2>&1 || cargo install cargo-fuzz --locked
targets=("$@")
[ "${#targets[@]}" -gt 0 ] || mapfile -t targets < <(cargo +nightly fuzz list)
cargo +nightly fuzz build -O "${targets[@]/#/}" >/dev/null 2>&1 || cargo +nightly fuzz build -O
run() {
    local t="$1"
    mkdir -p "corpus/$t"
    cargo +nightly fuzz run -O "$t" "corpus/$t" "seeds/$t" -- \
        -max_total_time="$SECONDS_PER_TARGET" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
        > "corpus/$t.log" 2>&1 && echo "$t: ok ($(grep -Eo '#[0-9]+' "corpus/$t.log" | tail -1 | tr -d '#') runs in ${SECONDS_PER_TARGET}s)" \
        || { echo "$t: FAILED, see fuzz/corpus/$t.log and fuzz/artifacts/$t/"; return 1; }
}
status=0
for ((i = 0; i < ${#targets[@]}; i += 2)); do
    run "${targets[i]}" & a=$!
    if [ $((i + 1)) -lt "${#targets[@]}" ]; then run "${targets[i + 1]}" & b=$!; else b=""; fi
    wait "$a" || status=1
    [ -z "$b" ] || wait "$b" || status=1
done
exit "$status"
