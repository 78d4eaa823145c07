<?php
// Reference HTTP front for agents_core (see src/Front.php). Serve with:
//   php -d extension=/abs/path/libagents_core.so -S 127.0.0.1:8080 examples/agents-api/router.php

declare(strict_types=1);

if (!extension_loaded('agents_core')) {
    http_response_code(500);
    header('Content-Type: application/json');
    echo json_encode(['error' => 'INTERNAL_ERROR', 'message' => 'agents_core is not loaded.', 'status' => 500]), "\n";
    return true;
}

require __DIR__ . '/src/Front.php';
require __DIR__ . '/src/RateLimit.php';

$env = getenv();
(new Agents\Demo\Front(is_array($env) ? $env : [], $_SERVER, __DIR__ . '/data'))->handle();
return true;
