<?php

// Exception classes of agents_core (registered at module startup; not emitted by cargo-php).

namespace Agents\Core {
    /**
     * Base of every exception thrown by agents_core.
     */
    class AgentsCoreException extends \RuntimeException {}

    /**
     * A caller passed something malformed (bad CIDR, bad credential shape, oversized input,
     * non-UTF-8 where text is required). The message names every offending item and why.
     */
    class InvalidInputException extends AgentsCoreException {}

    /**
     * A JWT was refused. The message starts with the reason code, then `: ` and an explanation.
     */
    class TokenException extends AgentsCoreException {}
}
