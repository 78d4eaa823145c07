# Makefile fragment for the phpize build (see config.m4): cargo builds the cdylib against the
# php-config this tree was configured with; the result becomes modules/agents_core.so, which
# PHP's own install-modules rule copies into that PHP's extension_dir.
#
# CARGO_TARGET_DIR (environment) moves cargo's build directory; default: $(srcdir)/target.
# AGENTS_CORE_PROFILE=dist builds the shipping profile (fat LTO) instead of release.

AGENTS_CORE_PROFILE ?= release

.PHONY: agents-core-cargo

agents-core-cargo:
	cd "$(srcdir)" && PATH="$(AGENTS_CORE_CARGO_DIR):$$PATH" PHP="$(PHP_EXECUTABLE)" \
		PHP_CONFIG="$(AGENTS_CORE_PHP_CONFIG)" \
		$(if $(AGENTS_CORE_RUSTFLAGS),RUSTFLAGS="$(AGENTS_CORE_RUSTFLAGS)") \
		"$(CARGO)" build --locked --lib --profile "$(AGENTS_CORE_PROFILE)"

$(phplibdir)/agents_core.so: agents-core-cargo
	@mkdir -p "$(phplibdir)"
	@dir="$${CARGO_TARGET_DIR:-$(srcdir)/target}/$(AGENTS_CORE_PROFILE)"; \
	if test -f "$$dir/libagents_core.so"; then lib="$$dir/libagents_core.so"; \
	else lib="$$dir/libagents_core.dylib"; fi; \
	echo "cp $$lib $@"; cp "$$lib" "$@"
