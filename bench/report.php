<?php
// Writes docs/benchmarks.md (to stdout) from one run of bench/run.sh:
//   php bench/report.php <work-dir>
// <work-dir> holds meta.json (machine, versions, load, command), <concern>.json (the rows of
// bench/php/<concern>.php --json) and <concern>.criterion (the criterion estimates.json files
// that `cargo bench --bench <concern>` wrote, in run order). bench/run.sh keeps that directory
// when BENCH_KEEP is set, so the document can be rewritten after editing the notes here.

declare(strict_types=1);

$dir = $argv[1] ?? null;
if ($dir === null || !is_file("$dir/meta.json")) {
    fwrite(STDERR, "usage: php bench/report.php <work-dir written by bench/run.sh>\n");
    exit(2);
}
$meta = json_decode((string) file_get_contents("$dir/meta.json"), true, 512, JSON_THROW_ON_ERROR);

/** The sections, in order: concern => [title, notes on the PHP table, notes on the criterion table]. */
const SECTIONS = [
    'guard' => [
        'Guard::authenticate and new Guard',
        <<<'MD'
        `authenticate`: an `Authorization: Bearer` request with a generated `agt_` token matching one
        of N managed credentials; in the first three rows that credential has a 100-entry IP
        allowlist and the client sits in its last entry. `new Guard`: 100 managed rows with every
        column the plugin passes. The floor is a userland loop doing `hash('sha256')` of the token,
        an array lookup by hash and `hash_equals` (for `new Guard`: building the hash → row index);
        it parses no headers, checks no IP and builds no result array. Fastest of 7 runs.

        The cost is flat in the number of credentials (one hash-map probe). A call is one SHA-256
        of the token, the allowlist check and the PHP arrays in and out (only the headers and
        query parameters the core reads are converted, and a credential's scope list is one
        shared immutable array); a credential's fingerprint and the format check of its token are
        made on its first request and kept. `new Guard` reads each row's 13 columns, validates
        every value (hash, handle, timestamps, allowlist), parses and filters the scopes and
        indexes the digest; the floor validates nothing. With 10 000 rows a build reads about
        10 MB of PHP arrays, about twice the cache lines the floor reads, so its time moves more
        than the floor's with other load on the machine (memory shared with other tenants).
        MD,
        <<<'MD'
        Core only. `ref` is `Guard::authenticate_ref`, the path the PHP glue uses (the principal is
        borrowed from the Guard); `owned` builds the owned `Outcome`; `guard_new` reads the rows as
        JSON values through the Rust API.
        MD,
    ],
    'ip' => [
        'IP allowlists',
        <<<'MD'
        `IpAllowlist::contains()` is one address parse plus one bisection over the merged ranges of
        the address family, so it grows with log₂ of the number of ranges; the floor (the list
        compiled once into `inet_pton()` binaries and prefix masks, each call comparing entry by
        entry) grows linearly. Entries are random IPv4 `/24` or IPv6 `/64` networks; 256 probes,
        half inside an entry, answers checked to agree first. ns/call is CPU time: the lowest of 7
        rounds minus the same loop without the call. The empty method call is what PHP's method
        call itself costs in that loop; the rest is mostly the address parse.
        MD,
        <<<'MD'
        Core only, over the same kind of probes. `addr` takes a parsed `IpAddr`; `text` parses the
        address text first, as the PHP method does. IPv6 entries are random `/48` networks.
        MD,
    ],
    'jwt' => [
        'JWT and webhooks',
        <<<'MD'
        Tokens and keys from `tests/fixtures/jwt-algorithms.json` (2048-bit RSA, P-256, Ed25519,
        32-byte HMAC secret). The floor is the least a correct userland verifier does with PHP's
        built-ins: `explode`, base64url decode, `json_decode` of header and payload, `alg` and `exp`
        checks, the signature with `hash_hmac` + `hash_equals`, `openssl_verify` (key loaded once)
        or `sodium_crypto_sign_verify_detached`. The extension side is `$verifier->check()`; for
        webhooks `webhook_verify()` against a floor that looks the headers up, checks the window and
        compares `hash_hmac` with `hash_equals`. Median of 5 rounds. PS256 has no `openssl_verify`
        mode: its floor is `openssl_public_decrypt` without padding plus EMSA-PSS-VERIFY in PHP,
        and its target is the RS256 `openssl_verify` floor of the same run (same key, same RSA
        operation), the stricter of the two.

        RSA, ECDSA and Ed25519 signatures are checked by AWS-LC, HMAC by the RustCrypto `hmac`
        crate (`docs/crypto.md`); every key is parsed, and every HMAC key schedule computed, once,
        when the verifier is built. Targets: HS256 at most 1 µs;
        RS256, PS256 and ES256 at most 1.0× the `openssl_verify` floor; EdDSA at most 1.0× the
        `sodium_crypto_sign_verify_detached` floor, each against the floor of the same run.
        MD,
        <<<'MD'
        Core only: one `JwtVerifier::verify_token` (size check, split, canonical base64url, strict
        header JSON, key selection, signature, strict claims JSON and registered-claim checks).
        Building the claims as a `serde_json::Map` adds the difference between the two HS256 rows
        (the PHP methods build the PHP array straight from the JSON). `hmac_sha256` is the HS256
        signature alone over the fixture's signing input: the RustCrypto HMAC with its key schedule
        computed once (what the verifier does), AWS-LC's HMAC the same way, and AWS-LC's with the
        key schedule computed per call (the cost the previous backend paid per token).
        MD,
    ],
    'posture' => [
        'Posture',
        <<<'MD'
        100 managed credentials (a quarter each without expiry, far expiry, expiring soon, expired;
        every tenth subscribed to entry events), the legacy token, a webhook and a few settings.
        The floor makes the same decisions in userland PHP on arrays PHP already holds. Median of
        7 rounds. The one-shot `posture()` function is `new Guard` plus `->posture()`, so most of
        its time is compiling the 100 rows (see the Guard section); a Guard kept for the request
        answers `->posture()` alone. This configuration has 50 warnings (one per expired or
        expiring credential), and building them (message text, then PHP arrays; the posture is
        about 8.7 kB as JSON) is most of `->posture()` and `->warnings()`.
        MD,
        <<<'MD'
        Core only; `Guard::new` here reads the rows as JSON values through the Rust API.
        `Guard::posture` includes rendering the 50 warnings.
        MD,
    ],
    'ratelimit' => [
        'Rate limiting',
        <<<'MD'
        `RateLimiter::hit()`, the whole call with its result array (7 keys plus 3 headers). Local
        store: 1 024 keys, CPU time, the lowest of 7 rounds minus the empty loop; the floor is a
        userland fixed window in a PHP array, which shares nothing between workers (the
        extension's table is shared by every worker of the node). Redis: one `redis-server`
        started and stopped by the bench on a free loopback port; the extension's one pipeline
        (`BITFIELD`, `PEXPIRE` when the connection has not set the key's expiry in the last 5 s,
        and `TIME` once a second) against a userland fixed window doing `INCR` + `EXPIRE` in one phpredis pipeline and
        building the same array, wall time (the round trip is mostly waiting), median of 7
        alternating rounds. The last row hits 100 000 keys ten times each on the local store and
        samples RSS after every 100 000 hits; "flat" means less than 1 MiB of growth after the
        first pass over the keys (which touches the table's pages).
        MD,
        <<<'MD'
        Core only: `gcra::decide` alone, and a hit on a node table (keyed hash, one
        compare-and-swap).
        MD,
    ],
];

/** Criterion ids (or prefixes) that carry a target from the issues, in ns. */
const CRITERION_TARGETS = [
    '#^authenticate/ref/#' => 1_500,
    '#^guard_new/#' => 50_000,
    '#^ip_contains_v[46]/text/1000$#' => 100,
    '#^jwt_verify/HS256$#' => 1_000,
    '#^Guard::posture#' => 50_000,
];

function duration(float $ns): string
{
    return match (true) {
        $ns < 100 => sprintf('%.1f ns', $ns),
        $ns < 1_000 => sprintf('%.0f ns', $ns),
        $ns < 10_000 => sprintf('%.2f µs', $ns / 1e3),
        $ns < 100_000 => sprintf('%.1f µs', $ns / 1e3),
        $ns < 1_000_000 => sprintf('%.0f µs', $ns / 1e3),
        default => sprintf('%.2f ms', $ns / 1e6),
    };
}

/** "≤ limit: met"; $note names a relative target ("1.0× the openssl_verify floor"). */
function target(?float $target, float $ns, ?string $note = null): string
{
    if ($target === null) {
        return '';
    }
    $limit = preg_replace(['/(\.\d*?)0+ /', '/\. /'], ['$1 ', ' '], duration($target));
    return sprintf('≤ %s%s: %s', $note === null ? '' : "$note = ", $limit, $ns <= $target ? 'met' : '**not met**');
}

function ratio(float $r): string
{
    return ($r >= 100 ? number_format($r) : sprintf($r >= 10 ? '%.1f' : '%.2f', $r)) . '×';
}

function php_table(array $rows): string
{
    $out = "| case | extension | userland floor | speed-up vs floor | target |\n|---|---:|---:|---:|---|\n";
    foreach ($rows as $r) {
        $ext = (float) $r['extension_ns'];
        $floor = $r['floor_ns'] === null ? null : (float) $r['floor_ns'];
        $out .= sprintf(
            "| %s | %s | %s | %s | %s |\n",
            $r['case'],
            duration($ext),
            $floor === null ? '' : duration($floor),
            $floor === null ? '' : ratio($floor / $ext),
            isset($r['target_text'])
                ? sprintf('%s: %s', $r['target_text'], $r['target_met'] ? 'met' : '**not met**')
                : target(isset($r['target_ns']) ? (float) $r['target_ns'] : null, $ext, $r['target_note'] ?? null),
        );
    }
    return $out;
}

function criterion_table(array $files): string
{
    $out = "| benchmark | median | target |\n|---|---:|---|\n";
    foreach ($files as $file) {
        $estimates = json_decode((string) file_get_contents($file), true, 512, JSON_THROW_ON_ERROR);
        $bench = json_decode((string) file_get_contents(dirname($file) . '/benchmark.json'), true, 512, JSON_THROW_ON_ERROR);
        $id = $bench['full_id'];
        $ns = (float) $estimates['median']['point_estimate'];
        $goal = null;
        foreach (CRITERION_TARGETS as $pattern => $t) {
            if (preg_match($pattern, $id) === 1) {
                $goal = (float) $t;
            }
        }
        $out .= sprintf("| `%s` | %s | %s |\n", $id, duration($ns), target($goal, $ns));
    }
    return $out;
}

$doc = "# Benchmarks\n\n";
$doc .= "Generated by `bench/run.sh` (do not edit by hand; edit `bench/report.php` for the notes).\n\n";
$doc .= "| | |\n|---|---|\n";
foreach ([
    'command' => '`' . $meta['command'] . '`',
    'date (UTC)' => $meta['started'] . ' – ' . $meta['finished'],
    'commit' => '`' . $meta['commit'] . '`',
    'machine' => sprintf('%s, %d CPUs (`nproc`), %s memory', $meta['cpu'], $meta['nproc'], $meta['memory']),
    'load average (1, 5, 15 min)' => sprintf('%s at the start, %s at the end', $meta['load_start'], $meta['load_end']),
    'PHP' => $meta['php'],
    'Rust' => $meta['rustc'],
    'criterion' => '`cargo bench --no-default-features --bench <concern> -- --warm-up-time 1 --measurement-time 3` (median of the estimate; groups that set their own times keep them)',
    'PHP benches' => '`php -d extension=target/dist/libagents_core.so bench/php/<concern>.php --json` (the `dist` profile, fat LTO, as the release zips are built)',
] as $k => $v) {
    $doc .= "| $k | $v |\n";
}
$doc .= "\nThe machine is shared with other jobs (the load average above), so absolute times move by up\n"
    . "to ±30 % between runs; the PHP ratios compare both sides within one process and one run.\n"
    . "\"speed-up vs floor\" is floor time ÷ extension time (above 1: the extension is faster).\n";

foreach (SECTIONS as $concern => [$title, $phpNotes, $criterionNotes]) {
    $doc .= "\n## $title\n\n";
    $doc .= "### From PHP (`bench/php/$concern.php`)\n\n$phpNotes\n\n";
    $rows = json_decode((string) @file_get_contents("$dir/$concern.json"), true);
    $doc .= is_array($rows) ? php_table($rows) : "_not run_\n";
    $doc .= "\n### Core (`bench/criterion/$concern.rs`)\n\n$criterionNotes\n\n";
    $files = array_values(array_filter(explode("\n", (string) @file_get_contents("$dir/$concern.criterion"))));
    $doc .= $files !== [] ? criterion_table($files) : "_not run_\n";
}
// The adapter's revision query (bench/craft.sh).
$craft = json_decode((string) @file_get_contents("$dir/craft.json"), true);
$doc .= "\n## Craft adapter: CredentialRows::revision()\n\n" . <<<'MD'
    What a cached Guard costs per request: `CredentialRows::revision()` with the
    trigger-maintained revision table (one primary-key read) and without it (an aggregate of
    per-row hashes over the policy columns), against `rows()` (what a rebuild reads before
    compiling the Guard), on the plugin's full table schema with N rows, over a private socket to
    the servers `bench/craft.sh` starts (SQLite: a file). Median of 200 calls (20 at 10 000 rows)
    after 3 warm-up calls. Target: with the revision table, `revision()` takes at most 1 ms and
    less than `rows()` at every size (otherwise the cache saves nothing). The aggregate has no
    target; it grows with the table and is the fallback for a schema without the migration.
    MD . "\n\n";
if (is_array($craft) && isset($craft['craft_revision'])) {
    $doc .= "| database | rows | revision(), table | revision(), aggregate | rows() | target |\n|---|---:|---:|---:|---:|---|\n";
    $names = ['sqlite' => 'SQLite', 'mysql' => 'MariaDB', 'pgsql' => 'PostgreSQL'];
    foreach ($craft['craft_revision'] as $r) {
        [$table, $agg, $rows] = [(float) $r['revision_table_us'] * 1e3, (float) $r['revision_us'] * 1e3, (float) $r['rows_us'] * 1e3];
        $goal = target(1e6, $table) . sprintf('; < rows(): %s', $table < $rows ? 'met' : '**not met**');
        $doc .= sprintf("| %s | %d | %s | %s | %s | %s |\n", $names[$r['driver']] ?? $r['driver'], $r['rows'], duration($table), duration($agg), duration($rows), $goal);
    }
} else {
    $doc .= "_not run_\n";
}
// The HTTP load check runs separately (scripts/loadcheck.sh, 60 s): its last measured table
// is kept in bench/loadcheck.md and carried into every regeneration.
$load = @file_get_contents(__DIR__ . '/loadcheck.md');
if (is_string($load) && $load !== '') {
    $doc .= "\n" . $load;
}
echo $doc;
