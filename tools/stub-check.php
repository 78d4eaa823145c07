<?php
// Compares the declared contract (php-stubs/*.php) with the loaded extension's reflection.
//
//   php -n tools/stub-check.php dump-stubs php-stubs > stubs.json     (extension NOT loaded)
//   php -d extension=... tools/stub-check.php dump-ext > ext.json
//   php -n tools/stub-check.php diff stubs.json ext.json              (exit 1 on any difference)
//
// Every function, class, method, parameter (name, type, optional, by-ref, variadic, default),
// return type, class flag, parent, interface and constant of the Agents\Core namespace and the
// global AGENTS_CORE_VERSION constant is compared.

declare(strict_types=1);

const NS = 'agents\\core\\';

function typeText(?ReflectionType $t): ?string
{
    if ($t === null) {
        return null;
    }
    $s = (string) $t;
    // Normalise "?array" vs "array|null" and ordering of unions.
    if ($s !== 'mixed' && $s !== 'null' && $t->allowsNull() && !str_starts_with($s, '?') && !str_contains($s, '|')) {
        $s = '?' . $s;
    }
    if (str_starts_with($s, '?')) {
        $s = substr($s, 1) . '|null';
    }
    $parts = explode('|', ltrim($s, '\\'));
    $parts = array_map(fn ($p) => strtolower(ltrim($p, '\\')), $parts);
    sort($parts);
    return implode('|', $parts);
}

function paramInfo(ReflectionParameter $p): array
{
    $default = null;
    if ($p->isDefaultValueAvailable()) {
        try {
            $default = var_export($p->getDefaultValue(), true);
        } catch (Throwable $e) {
            $default = '?';
        }
        $default = str_replace(["\n", ' '], '', (string) $default);
    }
    return [
        'name' => $p->getName(),
        'type' => typeText($p->getType()),
        'optional' => $p->isOptional(),
        'byRef' => $p->isPassedByReference(),
        'variadic' => $p->isVariadic(),
        'default' => $default,
    ];
}

function fnInfo(ReflectionFunctionAbstract $f): array
{
    return [
        'params' => array_map('paramInfo', $f->getParameters()),
        'return' => typeText($f->getReturnType()),
    ];
}

function classInfo(ReflectionClass $c): array
{
    $methods = [];
    foreach ($c->getMethods() as $m) {
        if (strtolower($m->getDeclaringClass()->getName()) !== strtolower($c->getName())) {
            continue;
        }
        $methods[strtolower($m->getName())] = ['name' => $m->getName(), 'static' => $m->isStatic(),
            'visibility' => $m->isPublic() ? 'public' : ($m->isProtected() ? 'protected' : 'private'),
            'abstract' => $m->isAbstract(), 'final' => $m->isFinal()] + fnInfo($m);
    }
    ksort($methods);
    $consts = [];
    foreach ($c->getReflectionConstants() as $k) {
        if ($k->getDeclaringClass()->getName() === $c->getName()) {
            $consts[$k->getName()] = var_export($k->getValue(), true);
        }
    }
    ksort($consts);
    $ifaces = array_map('strtolower', $c->getInterfaceNames());
    sort($ifaces);
    $parent = $c->getParentClass();
    return [
        'name' => $c->getName(),
        'kind' => $c->isInterface() ? 'interface' : 'class',
        'final' => $c->isFinal(),
        'abstract' => $c->isAbstract() && !$c->isInterface(),
        'parent' => $parent ? strtolower($parent->getName()) : null,
        'interfaces' => $ifaces,
        'constants' => $consts,
        'methods' => $methods,
    ];
}

function collect(array $functions, array $classes, array $constants): array
{
    $out = ['functions' => [], 'classes' => [], 'constants' => []];
    foreach ($functions as $f) {
        $r = new ReflectionFunction($f);
        $out['functions'][strtolower($r->getName())] = ['name' => $r->getName()] + fnInfo($r);
    }
    foreach ($classes as $c) {
        $r = new ReflectionClass($c);
        $out['classes'][strtolower($r->getName())] = classInfo($r);
    }
    foreach ($constants as $name => $value) {
        $out['constants'][$name] = var_export($value, true);
    }
    ksort($out['functions']);
    ksort($out['classes']);
    ksort($out['constants']);
    return $out;
}

function ours(string $name): bool
{
    return str_starts_with(strtolower($name), NS) || strtolower($name) === 'agents_core_version';
}

/**
 * Drops, inside each docblock, a `@param` for a parameter already documented earlier in the
 * block and a `@return` after the first; then blank docblock lines left doubled or closing.
 *
 * @param list<string> $lines
 * @return list<string>
 */
function dedupeDocTags(array $lines): array
{
    $out = [];
    $seen = null;
    foreach ($lines as $line) {
        if (preg_match('#^\s*/\*\*#', $line)) {
            $seen = ['params' => [], 'return' => false];
        }
        if ($seen !== null) {
            if (preg_match('/^\s*\*\s*@param\s+\S.*?\$(\w+)/', $line, $m)) {
                if (isset($seen['params'][$m[1]])) {
                    continue;
                }
                $seen['params'][$m[1]] = true;
            } elseif (preg_match('/^\s*\*\s*@return\s/', $line)) {
                if ($seen['return']) {
                    continue;
                }
                $seen['return'] = true;
            }
            if (preg_match('#\*/\s*$#', $line)) {
                $seen = null;
                while ($out !== [] && preg_match('#^\s*\*\s*$#', end($out)) && preg_match('#^\s*\*\s*$#', prev($out) ?: '')) {
                    array_pop($out);
                }
                // A blank line right before the end of the block.
                if ($out !== [] && preg_match('#^\s*\*\s*$#', end($out))) {
                    array_pop($out);
                }
            } elseif ($out !== [] && preg_match('#^\s*\*\s*$#', $line) && preg_match('#^\s*\*\s*$#', end($out))) {
                continue;
            }
        }
        $out[] = $line;
    }
    return $out;
}

/**
 * Docblock rules an analyser relies on: exactly one `@param` per parameter, named as
 * declared; an array shape (`array{`, `list<`, `array<`) for every array parameter and
 * return. Returns the problems.
 *
 * @return list<string>
 */
function docProblems(ReflectionFunctionAbstract $f, string $label): array
{
    $doc = (string) $f->getDocComment();
    $problems = [];
    preg_match_all('/@param\s+(.+?)\s+\$(\w+)/s', $doc, $m, PREG_SET_ORDER);
    $documented = [];
    foreach ($m as [, $type, $name]) {
        $documented[$name][] = preg_replace('/\s*\*\s*/', ' ', $type);
    }
    foreach ($f->getParameters() as $p) {
        $types = $documented[$p->getName()] ?? [];
        unset($documented[$p->getName()]);
        if (count($types) !== 1) {
            $problems[] = "$label: \${$p->getName()} has " . count($types) . ' @param tags';
            continue;
        }
        if (preg_match('/\barray\b/', (string) $p->getType()) && !preg_match('/array\{|list<|array</', $types[0])) {
            $problems[] = "$label: \${$p->getName()} is an array without a shape";
        }
    }
    foreach (array_keys($documented) as $name) {
        $problems[] = "$label: @param \$$name names no parameter";
    }
    $return = (string) $f->getReturnType();
    if (preg_match('/\barray\b/', $return) && !preg_match('/@return\s+[^@]*(array\{|list<|array<)/s', $doc)) {
        $problems[] = "$label: returns an array without a shape";
    }
    return $problems;
}

$mode = $argv[1] ?? '';
if ($mode === 'dump-ext') {
    if (!extension_loaded('agents_core')) {
        fwrite(STDERR, "agents_core is not loaded\n");
        exit(2);
    }
    $ext = new ReflectionExtension('agents_core');
    $functions = array_keys($ext->getFunctions());
    $classes = array_keys($ext->getClasses());
    // Classes registered at MINIT with ClassBuilder are not attributed to the extension.
    foreach (get_declared_classes() as $c) {
        if (ours($c) && !in_array($c, $classes, true)) {
            $classes[] = $c;
        }
    }
    echo json_encode(collect($functions, $classes, $ext->getConstants()), JSON_PRETTY_PRINT), "\n";
    exit(0);
}
if ($mode === 'dump-stubs') {
    if (extension_loaded('agents_core')) {
        fwrite(STDERR, "run dump-stubs without the extension (php -n)\n");
        exit(2);
    }
    $dir = $argv[2] ?? 'php-stubs';
    $before = get_defined_constants();
    $files = glob($dir . '/*.php');
    sort($files);
    // Exceptions first: other stubs may refer to them.
    usort($files, fn ($a, $b) => (int) !str_contains($a, 'exceptions') <=> (int) !str_contains($b, 'exceptions') ?: strcmp($a, $b));
    foreach ($files as $f) {
        require $f;
    }
    $functions = array_filter(get_defined_functions()['user'], 'ours');
    $classes = array_filter(array_merge(get_declared_classes(), get_declared_interfaces()), 'ours');
    $constants = array_filter(array_diff_key(get_defined_constants(), $before), 'ours', ARRAY_FILTER_USE_KEY);
    $problems = [];
    foreach ($functions as $fn) {
        $problems = [...$problems, ...docProblems(new ReflectionFunction($fn), $fn . '()')];
    }
    foreach ($classes as $c) {
        foreach ((new ReflectionClass($c))->getMethods() as $method) {
            if ($method->getDeclaringClass()->getName() === $c && $method->getFileName() !== false
                && !str_contains((string) $method->getFileName(), 'exceptions')) {
                $problems = [...$problems, ...docProblems($method, $c . '::' . $method->getName() . '()')];
            }
        }
    }
    if ($problems) {
        fwrite(STDERR, "Stub docblocks (" . count($problems) . "):\n  " . implode("\n  ", $problems) . "\n");
        exit(1);
    }
    echo json_encode(collect($functions, $classes, $constants), JSON_PRETTY_PRINT), "\n";
    exit(0);
}
if ($mode === 'finalize') {
    // cargo-php does not emit class modifiers: add `final` where the loaded extension says so.
    // It also appends a plain `@param`/`@return` for every parameter and return after the
    // doc comment: where the doc comment already documents one (with its array shape), the
    // plain duplicate is dropped, so each parameter has exactly one `@param`.
    $ns = '';
    foreach (dedupeDocTags(file($argv[2])) as $line) {
        if (preg_match('/^namespace\s+([^\s{]+)/', $line, $m)) {
            $ns = $m[1] . '\\';
        }
        if (preg_match('/^(\s*)class\s+(\w+)/', $line, $m) && class_exists($ns . $m[2])
            && (new ReflectionClass($ns . $m[2]))->isFinal()) {
            $line = preg_replace('/^(\s*)class\s/', '$1final class ', $line, 1);
        }
        echo $line;
    }
    exit(0);
}
if ($mode === 'diff') {
    $a = json_decode(file_get_contents($argv[2]), true, 512, JSON_THROW_ON_ERROR);
    $b = json_decode(file_get_contents($argv[3]), true, 512, JSON_THROW_ON_ERROR);
    $problems = [];
    $walk = function ($x, $y, string $path) use (&$walk, &$problems) {
        if (is_array($x) && is_array($y)) {
            foreach (array_unique(array_merge(array_keys($x), array_keys($y))) as $k) {
                if (!array_key_exists($k, $x)) {
                    $problems[] = "$path.$k: in the extension, missing from the stubs";
                } elseif (!array_key_exists($k, $y)) {
                    $problems[] = "$path.$k: in the stubs, missing from the extension";
                } else {
                    $walk($x[$k], $y[$k], "$path.$k");
                }
            }
        } elseif ($x !== $y) {
            $problems[] = "$path: stubs say " . json_encode($x) . ', extension says ' . json_encode($y);
        }
    };
    $walk($a, $b, 'contract');
    if ($problems) {
        fwrite(STDERR, "Stub drift (" . count($problems) . "):\n  " . implode("\n  ", $problems) . "\n");
        exit(1);
    }
    echo "stubs match the extension: ", count($a['functions']), " functions, ", count($a['classes']), " classes, ",
        count($a['constants']), " constants\n";
    exit(0);
}
fwrite(STDERR, "usage: stub-check.php dump-ext | dump-stubs DIR | diff A B\n");
exit(2);
