<?php

// Stubs for agents_core

namespace {
    const AGENTS_CORE_VERSION = '0.1.0';
}
