<?php
// Reference HTTP front for agents_core: what the Craft plugin's API controller does, with every
// security decision delegated to the extension. Serve with:
//   php -d extension=/abs/path/libagents_core.so -S 127.0.0.1:8080 examples/agents-api/router.php

declare(strict_types=1);

$path = parse_url($_SERVER['REQUEST_URI'] ?? '/', PHP_URL_PATH) ?: '/';

header('Content-Type: application/json');
header('Cache-Control: no-store, private');

if (!extension_loaded('agents_core')) {
    http_response_code(500);
    echo json_encode(['error' => 'INTERNAL_ERROR', 'message' => 'agents_core is not loaded.', 'status' => 500]);
    return true;
}

if ($path === '/agents/v1/health') {
    echo json_encode(['status' => 'ok', 'service' => 'agents', 'coreVersion' => AGENTS_CORE_VERSION]);
    return true;
}

http_response_code(404);
echo json_encode(['error' => 'NOT_FOUND', 'message' => 'Endpoint is not available.', 'status' => 404]);
return true;
