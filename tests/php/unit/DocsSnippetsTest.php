<?php

declare(strict_types=1);

namespace Agents\Core\Tests\Unit;

use PHPUnit\Framework\TestCase;

/** Snippets in docs/*.md marked `<!-- snippet: FILE -->` must appear verbatim in FILE. */
final class DocsSnippetsTest extends TestCase
{
    public static function snippets(): iterable
    {
        $root = dirname(__DIR__, 3);
        foreach (glob($root . '/docs/*.md') as $doc) {
            $text = (string) file_get_contents($doc);
            preg_match_all('/<!-- snippet: (\S+) -->\s*```php\n(.*?)```/s', $text, $m, PREG_SET_ORDER);
            foreach ($m as $i => [, $file, $code]) {
                yield basename($doc) . '#' . ($i + 1) => [$root . '/' . $file, $code];
            }
        }
    }

    /** @dataProvider snippets */
    public function testSnippetIsCopiedFromItsSource(string $file, string $code): void
    {
        self::assertFileExists($file);
        self::assertStringContainsString(rtrim($code, "\n"), (string) file_get_contents($file));
    }

    public function testTheIntegrationGuideHasSnippets(): void
    {
        self::assertGreaterThanOrEqual(3, iterator_count(self::snippets()));
    }
}
