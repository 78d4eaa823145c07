<?php

declare(strict_types=1);

if (!extension_loaded('agents_core')) {
    fwrite(STDERR, "agents_core is not loaded: run phpunit as\n"
        . "  php -d extension=\$PWD/target/release/libagents_core.so /usr/bin/phpunit\n");
    exit(2);
}

require __DIR__ . '/support/Server.php';
require __DIR__ . '/support/Ecdsa.php';
