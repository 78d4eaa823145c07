<?php
// Proves that a Rust panic inside an exported function reaches PHP as a catchable Throwable and
// leaves the process healthy. Run against a build with the `panic-probe` feature:
//   CARGO_TARGET_DIR=target/probe cargo build --features panic-probe
//   php -n -d extension=target/probe/debug/libagents_core.so tools/panic-check.php

declare(strict_types=1);

if (!function_exists('Agents\Core\panic_probe')) {
    fwrite(STDERR, "panic_probe missing: build with --features panic-probe\n");
    exit(2);
}
$failures = 0;
for ($i = 0; $i < 200; $i++) {
    try {
        Agents\Core\panic_probe("probe $i");
        fwrite(STDERR, "panic_probe returned instead of throwing\n");
        $failures++;
    } catch (\Throwable $e) {
        if (!str_contains($e->getMessage(), "probe $i")) {
            fwrite(STDERR, 'unexpected message: ' . $e->getMessage() . "\n");
            $failures++;
        }
        $class = get_class($e);
    }
}
// The extension still works after 200 contained panics.
$ok = AGENTS_CORE_VERSION !== '' && class_exists('Agents\Core\Guard');
if (!$ok) {
    $failures++;
}
echo $failures === 0 ? "panic containment: 200 panics caught as $class, process healthy\n" : "panic containment FAILED\n";
exit($failures === 0 ? 0 : 1);
