#!/usr/bin/env bash
# Checks that every reference in the repository resolves inside the repository:
#
# - every `[spec:<id>]` (and `specification.md#<id>`) names an anchor `<a id="<id>">` of
#   docs/specification.md;
# - every relative Markdown link `](path)` and every path of the repository named in text
#   (`src/…`, `docs/…`, `tests/…`, …) points at a file or directory that exists;
# - nothing cites material outside the repository: no section sign except in an RFC citation,
#   no defect ids of the form `X-YYY-N`, and no names of documents the repository does not hold.
#
# Exit status 1 with one line per broken reference. Run by scripts/test.sh.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

self="tools/check-references.sh"
spec="docs/specification.md"
fail=0
bad() { printf '%s\n' "$*" >&2; fail=1; }

# Text files of the repository (tracked or new), without build output and binary corpora.
mapfile -t files < <(git ls-files -co --exclude-standard \
    | grep -vE '^(target/|fuzz/target/|fuzz/corpus/|fuzz/artifacts/|tests/fuzz-regressions/|fuzz/seeds/)' \
    | grep -vE '\.(lock|png|jpg|bin|so)$' \
    | grep -vxF "$self" \
    | while read -r f; do [ -f "$f" ] && printf '%s\n' "$f"; done)

[ -f "$spec" ] || { echo "missing $spec" >&2; exit 1; }
mapfile -t ids < <(grep -oE '<a id="[a-z0-9-]+"></a>' "$spec" | sed -E 's/<a id="([^"]+)".*/\1/' | sort)
dups=$(printf '%s\n' "${ids[@]}" | uniq -d)
[ -z "$dups" ] || bad "$spec: anchor defined twice: $dups"
declare -A known=()
for id in "${ids[@]}"; do known[$id]=1; done
has_id() { [ -n "${known[$1]:-}" ]; }

# 1. Spec ids.
while IFS=: read -r file line id; do
    has_id "$id" || bad "$file:$line: [spec:$id] has no anchor in $spec"
done < <(grep -noE '\[spec:[a-z0-9-]+\]' "${files[@]}" | sed -E 's/\[spec:([^]]+)\]$/\1/')
while IFS=: read -r file line id; do
    has_id "$id" || bad "$file:$line: specification.md#$id has no anchor in $spec"
done < <(grep -noE 'specification\.md#[a-z0-9-]+' "${files[@]}" | sed -E 's/specification\.md#//')

# 2. Relative Markdown links in Markdown files.
for f in "${files[@]}"; do
    case "$f" in *.md) ;; *) continue ;; esac
    dir=$(dirname "$f")
    while IFS=: read -r line target; do
        target=${target#](}
        target=${target%)}
        case "$target" in http://* | https://* | mailto:* | '#'*) continue ;; esac
        path=${target%%#*}
        [ -e "$dir/$path" ] || bad "$f:$line: link to missing $target"
    done < <(grep -noE '\]\([^)[:space:]]+\)' "$f" || true)
done

# 3. Repository paths named in text (relative to the root or to the file's own directory).
#    JSON files are data (conformance cases name the files of the suites they come from).
roots='src|docs|tests|tools|bench|scripts|examples|fuzz|php-stubs|\.ci'
mapfile -t prose < <(printf '%s\n' "${files[@]}" | grep -v '\.json$')
while IFS=: read -r file line path; do
    path=${path%.}
    [ -e "$path" ] || [ -e "$(dirname "$file")/$path" ] \
        || bad "$file:$line: names $path, which is not in the repository"
done < <(grep -noE "(^|[^A-Za-z0-9_./-])($roots)/[A-Za-z0-9_./-]*[A-Za-z0-9_]\.(rs|md|php|sh|json|toml|txt)\b" "${prose[@]}" \
    | sed -E 's/^([^:]+):([0-9]+):[^a-z.]?/\1:\2:/')

# 4. Citations of material the repository does not hold.
while IFS= read -r hit; do
    bad "$hit: section sign outside an RFC citation"
done < <(grep -nE '§' "${files[@]}" | grep -v 'RFC' || true)
while IFS= read -r hit; do
    bad "$hit: defect id of a document not in the repository"
done < <(grep -nE '\b[A-Z]-[A-Z]{2,6}-[0-9]+\b' "${files[@]}" || true)
outside='(api|reference''-behaviour|toolchain)\.md|\.\.''/shared|/work''/shared'  # split so this line does not name them itself
while IFS= read -r hit; do
    bad "$hit: names a document outside the repository"
done < <(grep -nE "$outside" "${files[@]}" || true)

if [ "$fail" -ne 0 ]; then
    echo "check-references: broken references (see above)" >&2
    exit 1
fi
echo "check-references: ${#files[@]} files, ${#ids[@]} spec ids, all references resolve"
