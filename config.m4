dnl config.m4 for agents_core: the classic PHP extension build (phpize, PIE, pecl,
dnl docker-php-ext-install):
dnl
dnl   phpize && ./configure --enable-agents-core && make && make install
dnl
dnl The extension is written in Rust: configure checks for cargo and a rustc at least as new as
dnl Cargo.toml's rust-version, and make builds the cdylib with cargo in release mode against the
dnl php-config given to configure (ext-php-rs reads the PHP and PHP_CONFIG environment
dnl variables), then copies it to modules/agents_core.so; make install copies that into the
dnl extension_dir of the same PHP. Plain `cargo build` keeps working for development.

PHP_ARG_ENABLE([agents-core],
  [whether to enable agents_core],
  [AS_HELP_STRING([--enable-agents-core],
    [Enable the agents_core extension (built with cargo; needs Rust, see README.md)])],
  [yes])

PHP_ARG_WITH([cargo],
  [for the cargo binary to use],
  [AS_HELP_STRING([--with-cargo=PATH],
    [Path to cargo (default: cargo on PATH, then ~/.cargo/bin/cargo)])],
  [no],
  [no])

if test "$PHP_AGENTS_CORE" != "no"; then
  AGENTS_CORE_RUST_VERSION=`sed -n 's/^rust-version *= *"\(.*\)".*/\1/p' "$abs_srcdir/Cargo.toml"`
  if test -z "$AGENTS_CORE_RUST_VERSION"; then
    AC_MSG_ERROR([cannot read rust-version from $abs_srcdir/Cargo.toml])
  fi

  if test "$PHP_CARGO" != "no" && test "$PHP_CARGO" != "yes"; then
    CARGO="$PHP_CARGO"
  fi
  AC_PATH_PROG([CARGO], [cargo], [no], [$PATH$PATH_SEPARATOR$HOME/.cargo/bin])
  if test "$CARGO" = "no" || test ! -x "$CARGO"; then
    AC_MSG_ERROR([cargo not found. agents_core is written in Rust and needs a Rust toolchain,
rustc $AGENTS_CORE_RUST_VERSION or newer (Debian 12's rustc is too old). Install one with rustup
(https://rustup.rs, profile minimal is enough), then run configure again; if cargo is not on
PATH or in ~/.cargo/bin, pass --with-cargo=/path/to/cargo.])
  fi
  AGENTS_CORE_CARGO_DIR=`dirname "$CARGO"`

  AC_MSG_CHECKING([for the rustc cargo uses])
  AGENTS_CORE_RUSTC_VERSION=`PATH="$AGENTS_CORE_CARGO_DIR$PATH_SEPARATOR$PATH" "$CARGO" --version --verbose >/dev/null 2>&1 && PATH="$AGENTS_CORE_CARGO_DIR$PATH_SEPARATOR$PATH" rustc --version 2>/dev/null | sed -n 's/^rustc \([[0-9]][[0-9]]*\.[[0-9]][[0-9]]*\.[[0-9]][[0-9]]*\).*/\1/p'`
  if test -z "$AGENTS_CORE_RUSTC_VERSION"; then
    AC_MSG_RESULT([none])
    AC_MSG_ERROR([cargo was found at $CARGO but no working rustc next to it or on PATH.
Install a Rust toolchain (rustc $AGENTS_CORE_RUST_VERSION or newer) with rustup: https://rustup.rs])
  fi
  AC_MSG_RESULT([$AGENTS_CORE_RUSTC_VERSION])

  AC_MSG_CHECKING([whether rustc $AGENTS_CORE_RUSTC_VERSION is at least $AGENTS_CORE_RUST_VERSION])
  agents_core_oldest=`printf '%s\n%s\n' "$AGENTS_CORE_RUST_VERSION" "$AGENTS_CORE_RUSTC_VERSION" | sort -t. -k1,1n -k2,2n -k3,3n | head -n 1`
  if test "$agents_core_oldest" != "$AGENTS_CORE_RUST_VERSION"; then
    AC_MSG_RESULT([no])
    AC_MSG_ERROR([rustc $AGENTS_CORE_RUSTC_VERSION is too old: agents_core needs rustc $AGENTS_CORE_RUST_VERSION or newer
(rust-version in Cargo.toml). With rustup: rustup update stable. Otherwise install a newer
toolchain from https://rustup.rs and run configure again.])
  fi
  AC_MSG_RESULT([yes])

  dnl bindgen (used by ext-php-rs at build time) loads libclang.
  AC_MSG_CHECKING([for libclang (bindgen)])
  agents_core_libclang=""
  if test -n "$LIBCLANG_PATH"; then
    agents_core_libclang="$LIBCLANG_PATH"
  else
    for agents_core_f in `ldconfig -p 2>/dev/null | sed -n 's/.*libclang[[-.0-9]]*\.so.* => //p'` \
        /usr/lib/llvm-*/lib/libclang.so* /usr/lib64/libclang.so* /usr/lib/libclang.so* \
        /Library/Developer/CommandLineTools/usr/lib/libclang.dylib \
        /Applications/Xcode.app/Contents/Developer/Toolchains/XcodeDefault.xctoolchain/usr/lib/libclang.dylib \
        /opt/homebrew/opt/llvm/lib/libclang.dylib /usr/local/opt/llvm/lib/libclang.dylib; do
      if test -f "$agents_core_f"; then
        agents_core_libclang="$agents_core_f"
        break
      fi
    done
  fi
  if test -n "$agents_core_libclang"; then
    AC_MSG_RESULT([$agents_core_libclang])
  else
    AC_MSG_RESULT([not found])
    AC_MSG_WARN([libclang was not found; the build will fail in bindgen without it.
Install it (Debian/Ubuntu: apt-get install libclang-dev; Alpine: apk add clang-dev) or set
LIBCLANG_PATH to the directory that holds it.])
  fi

  dnl php-config as an absolute path, for the cargo build that runs from another directory.
  case "$PHP_CONFIG" in
    /*) AGENTS_CORE_PHP_CONFIG="$PHP_CONFIG" ;;
    *) AGENTS_CORE_PHP_CONFIG=`command -v "$PHP_CONFIG" 2>/dev/null` ;;
  esac
  if test -z "$AGENTS_CORE_PHP_CONFIG" || test -z "$PHP_EXECUTABLE"; then
    AC_MSG_ERROR([cannot resolve php-config ($PHP_CONFIG) or its PHP binary; pass --with-php-config=/abs/path/php-config])
  fi

  dnl macOS: PHP's symbols are resolved when the module is loaded (untested here).
  AGENTS_CORE_RUSTFLAGS=""
  if test "`uname -s 2>/dev/null`" = "Darwin"; then
    AGENTS_CORE_RUSTFLAGS="-C link-arg=-undefined -C link-arg=dynamic_lookup"
  fi

  dnl The module is built by cargo (Makefile.frag), not by libtool from C sources.
  PHP_MODULES='$(phplibdir)/agents_core.so'
  PHP_SUBST(CARGO)
  PHP_SUBST(AGENTS_CORE_CARGO_DIR)
  PHP_SUBST(AGENTS_CORE_PHP_CONFIG)
  PHP_SUBST(AGENTS_CORE_RUSTFLAGS)
  PHP_ADD_MAKEFILE_FRAGMENT([$abs_srcdir/Makefile.frag], [$abs_srcdir], [$abs_builddir])
fi
