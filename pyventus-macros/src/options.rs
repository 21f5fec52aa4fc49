//! The options of the attributes: one table per attribute, and the parsing and checks they share.
//!
//! Every option an attribute accepts is one [`OptionSpec`] in that attribute's table. The messages for
//! an unknown option, a repeated one, a missing value or a value where none belongs are all written from
//! the table, so they list exactly what the attribute accepts.

use proc_macro_crate::FoundCrate;
use proc_macro2::{Span, TokenStream};
use quote::{ToTokens, quote};
use syn::ext::IdentExt;
use syn::parse::{Parse, ParseStream, Parser};
use syn::punctuated::Punctuated;
use syn::{Expr, ExprLit, ExprUnary, Ident, Lit, Path, Token, UnOp};

use crate::errors::Errors;

/// One option of an attribute as written: `name`, or `name = value`.
pub(crate) struct AttrOption {
    pub(crate) name: Ident,
    pub(crate) value: Option<Expr>,
}

impl Parse for AttrOption {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        // `parse_any` accepts keywords, for `crate = ..`.
        let name = Ident::parse_any(input)?;
        let value = if input.peek(Token![=]) {
            input.parse::<Token![=]>()?;
            Some(input.parse()?)
        } else {
            None
        };
        Ok(AttrOption { name, value })
    }
}

/// Parses a comma-separated list of options.
fn parse_options(input: ParseStream<'_>) -> syn::Result<Vec<AttrOption>> {
    let options = Punctuated::<AttrOption, Token![,]>::parse_terminated(input)?;
    Ok(options.into_iter().collect())
}

/// What an option's value is.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// No value: `once`.
    Flag,
    /// A path: `linker = MyLinker`.
    Path,
    /// An expression, checked by the attribute: `priority = 10`.
    Value,
}

/// One option an attribute accepts.
pub(crate) struct OptionSpec {
    pub(crate) name: &'static str,
    pub(crate) kind: Kind,
    /// The option as a user would write it, for messages.
    pub(crate) example: &'static str,
}

/// `crate = path::to::pyventus`: where generated code finds pyventus. Every attribute takes it.
pub(crate) const CRATE: OptionSpec = OptionSpec {
    name: "crate",
    kind: Kind::Path,
    example: "crate = path::to::pyventus",
};

/// `on_success = f`: a success callback (of a handler, or a linker's default).
const ON_SUCCESS: OptionSpec = OptionSpec {
    name: "on_success",
    kind: Kind::Value,
    example: "on_success = f",
};

/// `on_failure = g`: a failure callback (of a handler, or a linker's default).
const ON_FAILURE: OptionSpec = OptionSpec {
    name: "on_failure",
    kind: Kind::Value,
    example: "on_failure = g",
};

/// The options of `#[event]`.
pub(crate) const EVENT_OPTIONS: &[OptionSpec] = &[
    OptionSpec {
        name: "serde",
        kind: Kind::Flag,
        example: "serde",
    },
    CRATE,
];

/// The options of `#[linker]`.
pub(crate) const LINKER_OPTIONS: &[OptionSpec] = &[
    OptionSpec {
        name: "max_subscribers",
        kind: Kind::Value,
        example: "max_subscribers = 10",
    },
    ON_SUCCESS,
    ON_FAILURE,
    CRATE,
];

/// The options of `#[subscribe]`, after its events.
pub(crate) const SUBSCRIBE_OPTIONS: &[OptionSpec] = &[
    OptionSpec {
        name: "linker",
        kind: Kind::Path,
        example: "linker = MyLinker",
    },
    OptionSpec {
        name: "priority",
        kind: Kind::Value,
        example: "priority = 10",
    },
    OptionSpec {
        name: "once",
        kind: Kind::Flag,
        example: "once",
    },
    ON_SUCCESS,
    ON_FAILURE,
    CRATE,
];

/// Whether `name` is the name of one of `specs`.
pub(crate) fn is_option_name(specs: &[OptionSpec], name: &Ident) -> bool {
    specs.iter().any(|spec| name == spec.name)
}

/// The options given to one attribute, checked against its table.
pub(crate) struct Options {
    given: Vec<(&'static str, Option<Expr>)>,
}

impl Options {
    /// The options of an attribute whose arguments did not parse (the parse error is reported).
    pub(crate) fn none() -> Self {
        Options { given: Vec::new() }
    }

    /// Reads the arguments of `attribute` and checks them against `specs` (see [`check`](Self::check)).
    pub(crate) fn parse(
        attribute: &str,
        specs: &'static [OptionSpec],
        args: TokenStream,
        errors: &mut Errors,
    ) -> Self {
        match parse_options.parse2(args) {
            Ok(written) => Options::check(attribute, specs, written, errors),
            Err(error) => {
                errors.push(error);
                Options::none()
            }
        }
    }

    /// Checks `written` against `specs`: unknown options, options given twice, flags given a value and
    /// values missing are reported into `errors` (and left out).
    pub(crate) fn check(
        attribute: &str,
        specs: &'static [OptionSpec],
        written: impl IntoIterator<Item = AttrOption>,
        errors: &mut Errors,
    ) -> Self {
        let mut given: Vec<(&'static str, Option<Expr>)> = Vec::new();
        for option in written {
            let Some(spec) = specs.iter().find(|spec| option.name == spec.name) else {
                errors.add(
                    &option.name,
                    format!(
                        "unknown `{attribute}` option `{}`; {}",
                        option.name,
                        expected(specs)
                    ),
                );
                continue;
            };
            if given.iter().any(|(name, _)| *name == spec.name) {
                errors.add(
                    &option.name,
                    format!("`{attribute}` option `{}` is given twice", spec.name),
                );
                continue;
            }
            match (spec.kind, option.value) {
                (Kind::Flag, None) => given.push((spec.name, None)),
                (Kind::Flag, Some(_)) => errors.add(
                    &option.name,
                    format!(
                        "`{attribute}` option `{}` takes no value: write `{}`",
                        spec.name, spec.example
                    ),
                ),
                (Kind::Path | Kind::Value, None) => errors.add(
                    &option.name,
                    format!(
                        "`{attribute}` option `{}` needs a value: `{}`",
                        spec.name, spec.example
                    ),
                ),
                (Kind::Path, Some(value)) if !is_path(&value) => errors.add(
                    &value,
                    format!(
                        "`{attribute}` option `{}` takes a path, like `{}`",
                        spec.name, spec.example
                    ),
                ),
                (Kind::Path | Kind::Value, Some(value)) => given.push((spec.name, Some(value))),
            }
        }
        Options { given }
    }

    /// Whether the flag `name` was given.
    pub(crate) fn flag(&self, name: &str) -> bool {
        self.given.iter().any(|(given, _)| *given == name)
    }

    /// The value of `name`, if given.
    pub(crate) fn value(&self, name: &str) -> Option<&Expr> {
        self.given
            .iter()
            .find(|(given, _)| *given == name)
            .and_then(|(_, value)| value.as_ref())
    }

    /// The value of the path option `name`, if given.
    pub(crate) fn path(&self, name: &str) -> Option<Path> {
        match self.value(name) {
            Some(Expr::Path(path)) => Some(path.path.clone()),
            _ => None,
        }
    }

    /// The path generated code uses to reach pyventus: the `crate = ..` option, else the name the
    /// user's crate gives pyventus in its `Cargo.toml` (`pv = { package = "pyventus" }` gives `::pv`),
    /// else `::pyventus`.
    pub(crate) fn crate_path(&self) -> TokenStream {
        match self.path(CRATE.name) {
            Some(path) => path.into_token_stream(),
            None => dependency_name(),
        }
    }
}

/// `::name`, where `name` is what the crate being compiled calls pyventus. Within pyventus's own package
/// (its tests, examples and doctests, which reach it as `pyventus`), and wherever the manifest cannot be
/// read, `::pyventus`.
fn dependency_name() -> TokenStream {
    match proc_macro_crate::crate_name("pyventus") {
        Ok(FoundCrate::Name(name)) => {
            let name = Ident::new(&name, Span::call_site());
            quote!(::#name)
        }
        Ok(FoundCrate::Itself) | Err(_) => quote!(::pyventus),
    }
}

fn is_path(value: &Expr) -> bool {
    matches!(value, Expr::Path(path) if path.qself.is_none())
}

/// "expected `a`, `b` or `c`", or "the only option is `a`".
fn expected(specs: &[OptionSpec]) -> String {
    let examples: Vec<String> = specs
        .iter()
        .map(|spec| format!("`{}`", spec.example))
        .collect();
    match examples.as_slice() {
        [only] => format!("the only option is {only}"),
        [rest @ .., last] => format!("expected {} or {last}", rest.join(", ")),
        [] => "it takes no options".to_owned(),
    }
}

/// What a value is, as far as the macro can tell.
pub(crate) enum Literal {
    /// An integer literal, possibly negated.
    Integer(i128),
    /// A literal of another kind (a string, a float, ..).
    Other,
    /// Not a literal (a constant, an arithmetic expression, ..): the compiler checks it.
    Expression,
}

/// What `expr` is, looking through parentheses and the invisible groups `macro_rules!` wraps its
/// fragments in (`$p:expr`, `$p:literal`).
pub(crate) fn literal_value(expr: &Expr) -> Literal {
    match expr {
        Expr::Lit(ExprLit {
            lit: Lit::Int(int), ..
        }) => int.base10_parse().map_or(Literal::Other, Literal::Integer),
        Expr::Lit(_) => Literal::Other,
        Expr::Unary(ExprUnary {
            op: UnOp::Neg(_),
            expr,
            ..
        }) => match literal_value(expr) {
            Literal::Integer(value) => Literal::Integer(-value),
            other => other,
        },
        Expr::Group(group) => literal_value(&group.expr),
        Expr::Paren(paren) => literal_value(&paren.expr),
        _ => Literal::Expression,
    }
}
