//! PHP's own parameter rules for every exported function and method.
//!
//! A parameter declared `Param<T>` keeps its PHP type in reflection and stubs (`string`, `int`,
//! `bool`, `array`, nullable for `Option`), and is read the way the engine reads the parameters
//! of its own internal functions:
//!
//! - the caller's mode decides: a call from a file with `declare(strict_types=1)` accepts only
//!   the declared type (and `int` for `float`, which `Param` never declares); any other call
//!   coerces scalars with the engine's own routines (`zend_parse_arg_str_weak`,
//!   `zend_parse_arg_long_weak`, `zend_parse_arg_bool_weak`), which also emit PHP's
//!   deprecations (`null` to a non-nullable scalar, a float with a fractional part to `int`);
//! - a value that does not fit is a `TypeError` worded as PHP words it:
//!   `Agents\Core\ip_allowed(): Argument #1 ($ip) must be of type string, array given`.
//!
//! The conversion cannot fail inside ext-php-rs (which would throw its own message): the
//! outcome is kept in the `Param`, and the function body takes it with `?`
//! ([`Param::get`]), so the first bad argument in order is the one reported.

use std::ffi::{CStr, c_char, c_void};
use std::sync::OnceLock;

use ext_php_rs::convert::{FromZvalMut, StubLiteral};
use ext_php_rs::exception::PhpException;
use ext_php_rs::ffi::{self, ZEND_ACC_STRICT_TYPES, zend_long, zend_string, zval};
use ext_php_rs::flags::DataType;
use ext_php_rs::types::{ZendCallable, ZendHashTable, ZendStr, Zval};
use ext_php_rs::zend::{ExecuteData, ce};

// The engine's weak-mode (coercive) parameter parsers and its type names (PHP >= 8.1
// signatures; `ZEND_FASTCALL` is the plain C convention on x86-64 and aarch64). They are looked
// up in the running process when first needed rather than linked: the stub generator loads the
// library outside PHP, where only the symbols ext-php-rs itself uses are provided.
type StrWeak = unsafe extern "C" fn(*mut zval, *mut *mut zend_string, u32) -> bool;
type LongWeak = unsafe extern "C" fn(*mut zval, *mut zend_long, u32) -> bool;
type BoolWeak = unsafe extern "C" fn(*mut zval, *mut bool, u32) -> bool;
type TypeName = unsafe extern "C" fn(*const zval) -> *const c_char;

/// The engine functions this module calls, resolved once per process.
struct Engine {
    str_weak: StrWeak,
    long_weak: LongWeak,
    bool_weak: BoolWeak,
    type_name: TypeName,
}

fn engine() -> Option<&'static Engine> {
    static ENGINE: OnceLock<Option<Engine>> = OnceLock::new();
    ENGINE
        .get_or_init(|| {
            let find = super::raw::engine_symbol;
            let (s, l, b, t) = (
                find(c"zend_parse_arg_str_weak")?,
                find(c"zend_parse_arg_long_weak")?,
                find(c"zend_parse_arg_bool_weak")?,
                find(c"zend_zval_type_name")?,
            );
            // SAFETY: each symbol is the engine's exported function of that name, whose C
            // signature (zend_API.h, PHP 8.1+) the type spells out.
            unsafe {
                Some(Engine {
                    str_weak: std::mem::transmute::<*mut c_void, StrWeak>(s),
                    long_weak: std::mem::transmute::<*mut c_void, LongWeak>(l),
                    bool_weak: std::mem::transmute::<*mut c_void, BoolWeak>(b),
                    type_name: std::mem::transmute::<*mut c_void, TypeName>(t),
                })
            }
        })
        .as_ref()
}

/// One parameter as read from the caller: the value, or the `TypeError` message.
pub struct Param<T>(Result<T, String>);

impl<T> Param<T> {
    /// The value, or PHP's `TypeError` for this argument.
    pub fn get(self) -> Result<T, PhpException> {
        self.0
            .map_err(|message| PhpException::new(message, 0, ce::type_error()))
    }
}

/// An `array` parameter that defaults to `[]` (`None` when the caller left it out).
pub struct ArrayOrEmpty<'a>(pub Option<&'a ZendHashTable>);

/// The PHP types a `Param` declares, as PHP names them in `must be of type ...`.
#[derive(Clone, Copy)]
enum Expected {
    String,
    Int,
    Bool,
    Array,
    Callable,
}

impl Expected {
    fn name(self, nullable: bool) -> &'static str {
        match (self, nullable) {
            (Expected::String, false) => "string",
            (Expected::String, true) => "?string",
            (Expected::Int, false) => "int",
            (Expected::Int, true) => "?int",
            (Expected::Bool, _) => "bool",
            (Expected::Array, false) => "array",
            (Expected::Array, true) => "?array",
            (Expected::Callable, _) => "callable",
        }
    }
}

/// The call being parsed: the engine's current frame (an internal function's frame while its
/// handler runs).
struct Call<'e> {
    ex: &'e ExecuteData,
}

impl Call<'_> {
    fn current() -> Option<Self> {
        // SAFETY: the executor globals exist for the whole request on this thread, and
        // `current_execute_data` is either null or the frame of the function running now,
        // which outlives this parse (we are inside its handler).
        let ex = unsafe {
            ffi::ext_php_rs_executor_globals()
                .as_ref()?
                .current_execute_data
                .as_ref()?
        };
        Some(Call { ex })
    }

    fn func(&self) -> Option<&ffi::_zend_function__bindgen_ty_1> {
        // SAFETY: a frame's `func` is null or a live function; `common` is the prefix every
        // member of the union shares.
        unsafe { self.ex.func.as_ref().map(|f| &f.common) }
    }

    /// 1-based position of `arg` among this call's arguments (`arg` is the frame slot the
    /// parser hands to `from_zval_mut`).
    fn position_of(&self, arg: *const Zval) -> Option<u32> {
        // SAFETY: every member of `u2` is a plain u32; for a call frame it is `num_args`.
        let n = unsafe { self.ex.This.u2.num_args };
        (0..n).find_map(|i| {
            // SAFETY: `i < num_args`, so slot `i` is an argument slot of this live frame;
            // only its address is compared.
            let slot: &Zval = unsafe { self.ex.zend_call_arg(i as usize) }?;
            (std::ptr::eq(slot, arg) || std::ptr::eq(slot.dereference(), arg)).then_some(i + 1)
        })
    }

    /// What `ZEND_ARG_USES_STRICT_TYPES()` reads: whether the calling frame's function was
    /// compiled with `declare(strict_types=1)`. A call from internal code (a callback of
    /// `array_map`, `call_user_func`) is not strict, as in the engine.
    fn caller_is_strict(&self) -> bool {
        // SAFETY: `prev_execute_data` is null or the caller's live frame; its `func` is null
        // or a live function whose `common.fn_flags` is readable for every function type.
        unsafe {
            self.ex
                .prev_execute_data
                .as_ref()
                .and_then(|prev| prev.func.as_ref())
                .is_some_and(|f| f.common.fn_flags & ZEND_ACC_STRICT_TYPES != 0)
        }
    }

    /// `Class::method` or `function`, as `get_active_function_or_method_name()` gives it.
    fn function_name(&self) -> String {
        let Some(func) = self.func() else {
            return "{unknown}".to_owned();
        };
        // SAFETY: `function_name` is null or a live interned string of the registered name.
        let name = unsafe { func.function_name.as_ref() }
            .map(|s: &ZendStr| String::from_utf8_lossy(s.as_bytes()).into_owned())
            .unwrap_or_default();
        // SAFETY: `scope` is null for a function, else the live class entry of the method.
        match unsafe { func.scope.as_ref() }.and_then(|ce| ce.name()) {
            Some(class) => format!("{class}::{name}"),
            None => name,
        }
    }

    /// The declared name of parameter `position` (1-based) of this internal function.
    fn parameter_name(&self, position: u32) -> Option<String> {
        let func = self.func()?;
        if position == 0
            || position > func.num_args
            || func.type_ != ffi::ZEND_INTERNAL_FUNCTION as u8
        {
            return None;
        }
        // SAFETY: for an internal function `arg_info` points at `num_args` internal arg
        // infos (the engine's `get_active_function_arg_name` reads it the same way), and
        // `position - 1 < num_args`; `name` is a NUL-terminated static string.
        unsafe {
            let info = func.arg_info.cast::<ffi::zend_internal_arg_info>();
            let name = (*info.add(position as usize - 1)).name;
            (!name.is_null()).then(|| CStr::from_ptr(name).to_string_lossy().into_owned())
        }
    }

    /// `f(): Argument #n ($name) must be of type T, U given`.
    fn type_error(&self, position: Option<u32>, expected: &str, given: &Zval) -> String {
        let given = match engine() {
            // SAFETY: `given` is a live zval; the engine returns a static type name or the
            // class name of a live object, both NUL-terminated.
            Some(e) => unsafe {
                let p = (e.type_name)(std::ptr::from_ref(given).cast());
                if p.is_null() {
                    "unknown".into()
                } else {
                    CStr::from_ptr(p).to_string_lossy()
                }
            },
            None => "unknown".into(),
        };
        let function = self.function_name();
        match position {
            Some(n) => match self.parameter_name(n) {
                Some(name) => {
                    format!(
                        "{function}(): Argument #{n} (${name}) must be of type {expected}, {given} given"
                    )
                }
                None => {
                    format!("{function}(): Argument #{n} must be of type {expected}, {given} given")
                }
            },
            None => format!("{function}(): Argument must be of type {expected}, {given} given"),
        }
    }
}

/// Reads one argument: the exact type passes; otherwise, unless the caller is strict,
/// `coerce` applies the engine's weak-mode rule (given the 1-based position for PHP's
/// deprecation messages); otherwise, or when that fails, the PHP-worded `TypeError`.
fn read<'a, T>(
    zv: &'a mut Zval,
    expected: Expected,
    nullable: bool,
    exact: impl FnOnce(&'a Zval) -> Option<T>,
    coerce: impl FnOnce(&'a mut Zval, u32) -> Option<T>,
) -> Result<T, String> {
    // Reborrow to test for the exact type first without giving up `zv` for coercion.
    let ptr: *mut Zval = zv;
    // SAFETY: `ptr` comes from the `&'a mut Zval` just above, and the shared reborrow ends
    // before `zv` is used again: either it yields the value, or `zv` is used below.
    if let Some(v) = exact(unsafe { &*ptr }) {
        return Ok(v);
    }
    let Some(call) = Call::current() else {
        return Err(format!(
            "Argument must be of type {}",
            expected.name(nullable)
        ));
    };
    let position = call.position_of(ptr);
    let coerced = if call.caller_is_strict() {
        None
    } else {
        coerce(zv, position.unwrap_or(0))
    };
    if let Some(v) = coerced {
        return Ok(v);
    }
    // SAFETY: as above; `coerce` has returned without a value, so nothing borrows `zv` now.
    Err(call.type_error(position, expected.name(nullable), unsafe { &*ptr }))
}

fn weak_str(zv: &mut Zval, position: u32) -> Option<&[u8]> {
    let mut dest: *mut zend_string = std::ptr::null_mut();
    // SAFETY: `zv` is this call's argument slot (or a value owned by it); the engine converts
    // it in place (int/float/bool/null/Stringable to string) and `dest` then points at the
    // string now held by `zv`, which lives as long as the slot.
    let ok = unsafe { (engine()?.str_weak)(std::ptr::from_mut(zv).cast(), &mut dest, position) };
    if !ok {
        return None;
    }
    zv.zend_str().map(ZendStr::as_bytes)
}

fn weak_long(zv: &mut Zval, position: u32) -> Option<i64> {
    let mut dest: zend_long = 0;
    // SAFETY: `zv` is a live zval; the engine only reads it and writes `dest`.
    unsafe { (engine()?.long_weak)(std::ptr::from_mut(zv).cast(), &mut dest, position) }
        .then_some(dest)
}

fn weak_bool(zv: &mut Zval, position: u32) -> Option<bool> {
    let mut dest = false;
    // SAFETY: `zv` is a live zval; the engine only reads it and writes `dest`.
    unsafe { (engine()?.bool_weak)(std::ptr::from_mut(zv).cast(), &mut dest, position) }
        .then_some(dest)
}

impl<'a> FromZvalMut<'a> for Param<&'a [u8]> {
    const TYPE: DataType = DataType::String;

    fn from_zval_mut(zv: &'a mut Zval) -> Option<Self> {
        Some(Param(read(
            zv,
            Expected::String,
            false,
            |z| z.zend_str().map(ZendStr::as_bytes),
            weak_str,
        )))
    }
}

impl<'a> FromZvalMut<'a> for Param<Option<&'a [u8]>> {
    const TYPE: DataType = DataType::String;
    const NULLABLE: bool = true;

    fn from_zval_mut(zv: &'a mut Zval) -> Option<Self> {
        if zv.is_null() {
            return Some(Param(Ok(None)));
        }
        Some(Param(
            read(
                zv,
                Expected::String,
                true,
                |z| z.zend_str().map(ZendStr::as_bytes),
                weak_str,
            )
            .map(Some),
        ))
    }

    fn from_missing() -> Option<Self> {
        Some(Param(Ok(None)))
    }
}

impl FromZvalMut<'_> for Param<i64> {
    const TYPE: DataType = DataType::Long;

    fn from_zval_mut(zv: &mut Zval) -> Option<Self> {
        Some(Param(read(zv, Expected::Int, false, Zval::long, weak_long)))
    }
}

impl FromZvalMut<'_> for Param<Option<i64>> {
    const TYPE: DataType = DataType::Long;
    const NULLABLE: bool = true;

    fn from_zval_mut(zv: &mut Zval) -> Option<Self> {
        if zv.is_null() {
            return Some(Param(Ok(None)));
        }
        Some(Param(
            read(zv, Expected::Int, true, Zval::long, weak_long).map(Some),
        ))
    }

    fn from_missing() -> Option<Self> {
        Some(Param(Ok(None)))
    }
}

impl FromZvalMut<'_> for Param<bool> {
    const TYPE: DataType = DataType::Bool;

    fn from_zval_mut(zv: &mut Zval) -> Option<Self> {
        Some(Param(read(
            zv,
            Expected::Bool,
            false,
            Zval::bool,
            weak_bool,
        )))
    }
}

impl<'a> FromZvalMut<'a> for Param<&'a ZendHashTable> {
    const TYPE: DataType = DataType::Array;

    fn from_zval_mut(zv: &'a mut Zval) -> Option<Self> {
        Some(Param(read(
            zv,
            Expected::Array,
            false,
            Zval::array,
            |_, _| None,
        )))
    }
}

impl<'a> FromZvalMut<'a> for Param<Option<&'a ZendHashTable>> {
    const TYPE: DataType = DataType::Array;
    const NULLABLE: bool = true;

    fn from_zval_mut(zv: &'a mut Zval) -> Option<Self> {
        if zv.is_null() {
            return Some(Param(Ok(None)));
        }
        Some(Param(
            read(zv, Expected::Array, true, Zval::array, |_, _| None).map(Some),
        ))
    }

    fn from_missing() -> Option<Self> {
        Some(Param(Ok(None)))
    }
}

impl<'a> FromZvalMut<'a> for Param<ZendCallable<'a>> {
    const TYPE: DataType = DataType::Callable;

    fn from_zval_mut(zv: &'a mut Zval) -> Option<Self> {
        Some(Param(read(
            zv,
            Expected::Callable,
            false,
            |z| ZendCallable::new(z).ok(),
            |_, _| None,
        )))
    }
}

impl<'a> FromZvalMut<'a> for Param<ArrayOrEmpty<'a>> {
    const TYPE: DataType = DataType::Array;

    fn from_zval_mut(zv: &'a mut Zval) -> Option<Self> {
        Some(Param(
            read(zv, Expected::Array, false, Zval::array, |_, _| None)
                .map(|ht| ArrayOrEmpty(Some(ht))),
        ))
    }
}

// Defaults (`#[php(defaults(...))]`): the value used when the caller leaves the argument out,
// and the literal the stubs show.

impl Param<&'static [u8]> {
    /// `''`.
    pub const EMPTY_STRING: Self = Param(Ok(b""));
}

impl Param<ArrayOrEmpty<'static>> {
    /// `[]`.
    pub const EMPTY_ARRAY: Self = Param(Ok(ArrayOrEmpty(None)));
}

impl From<i64> for Param<i64> {
    fn from(v: i64) -> Self {
        Param(Ok(v))
    }
}

impl From<bool> for Param<bool> {
    fn from(v: bool) -> Self {
        Param(Ok(v))
    }
}

impl StubLiteral for Param<&[u8]> {
    fn stub_literal(&self) -> String {
        match &self.0 {
            Ok(b) => String::from_utf8_lossy(b).as_ref().stub_literal(),
            Err(_) => "''".to_owned(),
        }
    }
}

impl StubLiteral for Param<i64> {
    fn stub_literal(&self) -> String {
        self.0
            .as_ref()
            .map_or_else(|_| "0".to_owned(), i64::to_string)
    }
}

impl StubLiteral for Param<bool> {
    fn stub_literal(&self) -> String {
        match self.0 {
            Ok(true) => "true".to_owned(),
            _ => "false".to_owned(),
        }
    }
}

impl StubLiteral for Param<ArrayOrEmpty<'_>> {
    fn stub_literal(&self) -> String {
        "[]".to_owned()
    }
}
