//! The grammar of `#[subscribe(..)]`: event types first, then options.

use proc_macro2::TokenStream;
use syn::parse::{Parse, ParseStream, Parser};
use syn::{Ident, LitStr, Token, Type};

use crate::errors::Errors;
use crate::options::{AttrOption, Options, SUBSCRIBE_OPTIONS, is_option_name};

/// The arguments of `#[subscribe(..)]`, read.
pub(super) struct Args {
    pub(super) events: Vec<Type>,
    pub(super) options: Options,
    /// Whether an event was named by a string (reported), so that "needs the event" is not said too.
    pub(super) named_by_string: bool,
}

/// One argument as written: an event type, an option, or a string (a mistake Pyventus users will make,
/// since Pyventus names events with strings).
enum Arg {
    Event(Type),
    Option(AttrOption),
    String(LitStr),
}

impl Parse for Arg {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        if input.peek(LitStr) {
            return input.parse().map(Arg::String);
        }
        let named_option = (input.peek(Token![crate]) && input.peek2(Token![=]))
            || (input.peek(Ident) && (input.peek2(Token![=]) || is_bare_option(input)));
        if named_option {
            return input.parse().map(Arg::Option);
        }
        input.parse().map(Arg::Event)
    }
}

/// Whether the next token is an option's name on its own (`once`, or `priority` missing its value).
fn is_bare_option(input: ParseStream<'_>) -> bool {
    let fork = input.fork();
    let Ok(ident) = fork.parse::<Ident>() else {
        return false;
    };
    is_option_name(SUBSCRIBE_OPTIONS, &ident) && (fork.is_empty() || fork.peek(Token![,]))
}

/// Reads the arguments, reporting every problem into `errors`.
pub(super) fn parse(args: TokenStream, errors: &mut Errors) -> Args {
    let parser = |input: ParseStream<'_>| input.parse_terminated(Arg::parse, Token![,]);
    let written = match parser.parse2(args) {
        Ok(written) => written,
        Err(error) => {
            errors.push(error);
            return Args {
                events: Vec::new(),
                options: Options::none(),
                // Nothing was read: the parse error is the whole story.
                named_by_string: true,
            };
        }
    };
    let mut events = Vec::new();
    let mut options = Vec::new();
    let mut named_by_string = false;
    for arg in written {
        match arg {
            Arg::Event(event) => events.push(event),
            Arg::Option(option) => options.push(option),
            Arg::String(name) => {
                named_by_string = true;
                errors.add(
                    &name,
                    format!(
                        "`#[subscribe]` takes the event's type, not its name: write `#[subscribe({})]`",
                        name.value()
                    ),
                );
            }
        }
    }
    Args {
        events,
        options: Options::check("#[subscribe]", SUBSCRIBE_OPTIONS, options, errors),
        named_by_string,
    }
}
