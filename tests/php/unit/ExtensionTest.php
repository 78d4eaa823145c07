<?php

declare(strict_types=1);

namespace Agents\Core\Tests\Unit;

use Agents\Core\AgentsCoreException;
use Agents\Core\InvalidInputException;
use Agents\Core\TokenException;
use PHPUnit\Framework\TestCase;

final class ExtensionTest extends TestCase
{
    public function testExtensionIsLoadedWithItsVersion(): void
    {
        self::assertTrue(extension_loaded('agents_core'));
        self::assertMatchesRegularExpression('/^\d+\.\d+\.\d+/', AGENTS_CORE_VERSION);
        self::assertSame(AGENTS_CORE_VERSION, phpversion('agents_core'));
        $composer = json_decode((string) file_get_contents(__DIR__ . '/../../../composer.json'), true);
        self::assertSame('agents_core', $composer['php-ext']['extension-name']);
    }

    public function testExceptionHierarchy(): void
    {
        self::assertTrue(is_subclass_of(AgentsCoreException::class, \RuntimeException::class));
        self::assertTrue(is_subclass_of(InvalidInputException::class, AgentsCoreException::class));
        self::assertTrue(is_subclass_of(TokenException::class, AgentsCoreException::class));
    }

    public function testExceptionsAreConstructibleAndCatchableAsRuntimeException(): void
    {
        $e = new InvalidInputException('x', 7);
        self::assertSame('x', $e->getMessage());
        self::assertSame(7, $e->getCode());
        try {
            throw $e;
        } catch (\RuntimeException $caught) {
            self::assertSame($e, $caught);
        }
    }

    public function testExceptionsAreSubclassableFromPhp(): void
    {
        $sub = new class ('refused') extends TokenException {
        };
        self::assertInstanceOf(AgentsCoreException::class, $sub);
        self::assertSame('refused', $sub->getMessage());
    }

    public function testMessagesNamingInputWithNulBytesCanBeThrown(): void
    {
        // PHP cannot throw an exception whose message holds a NUL byte; an anonymous class's
        // name and an array key can hold one.
        foreach ([
            static fn () => new \Agents\Core\IpAllowlist([new class () {
            }]),
            static fn () => new \Agents\Core\Guard(["A\0B" => []]),
            static fn () => \Agents\Core\webhook_verify(["a\0" => 5], '', []),
        ] as $i => $f) {
            try {
                $f();
                self::fail("case $i accepted");
            } catch (InvalidInputException $e) {
                self::assertStringNotContainsString("\0", $e->getMessage(), "case $i");
            }
        }
        try {
            new \Agents\Core\IpAllowlist([new class () {
            }]);
        } catch (InvalidInputException $e) {
            self::assertStringContainsString('object(class@anonymous)', $e->getMessage());
        }
    }

    public function testInfoTable(): void
    {
        ob_start();
        (new \ReflectionExtension('agents_core'))->info();
        $info = (string) ob_get_clean();
        self::assertStringContainsString('agents_core support => enabled', $info);
        self::assertStringContainsString('version => ' . AGENTS_CORE_VERSION, $info);
        self::assertMatchesRegularExpression('/build profile => (debug|release)/', $info);
        self::assertStringContainsString('crypto backend => aws-lc-rs ', $info);
        self::assertStringContainsString('features => ', $info);
    }
}
