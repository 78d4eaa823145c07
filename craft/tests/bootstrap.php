<?php

declare(strict_types=1);

// The package's PSR-4 map, without a Composer install (the suite runs offline).
spl_autoload_register(static function (string $class): void {
    foreach (['Agents\\Core\\Craft\\Tests\\' => __DIR__ . '/', 'Agents\\Core\\Craft\\' => dirname(__DIR__) . '/src/'] as $prefix => $dir) {
        if (str_starts_with($class, $prefix)) {
            $file = $dir . str_replace('\\', '/', substr($class, strlen($prefix))) . '.php';
            if (is_file($file)) {
                require $file;
            }
            return;
        }
    }
});

if (!extension_loaded('agents_core')) {
    fwrite(STDERR, "agents_core is not loaded: run bash scripts/craft-test.sh\n");
    exit(2);
}
