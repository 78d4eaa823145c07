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
        // cargo-php cannot emit `final class`: a stub class documented `@final` counts as final.
        'final' => $c->isFinal() || preg_match('/^\s*\*\s*@final\b/m', (string) $c->getDocComment()) === 1,
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
    echo json_encode(collect($functions, $classes, $constants), JSON_PRETTY_PRINT), "\n";
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
