//! Option parsing shared by the attributes: `key = value` pairs and bare flags, with errors collected.

use proc_macro2::{Span, TokenStream};
use quote::{ToTokens, quote};
use syn::ext::IdentExt;
use syn::parse::{Parse, ParseStream};
use syn::punctuated::Punctuated;
use syn::spanned::Spanned;
use syn::{Expr, Ident, Item, Path, Token};

/// One option of an attribute: `name`, or `name = value`.
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
pub(crate) fn parse_options(input: ParseStream<'_>) -> syn::Result<Vec<AttrOption>> {
    let options = Punctuated::<AttrOption, Token![,]>::parse_terminated(input)?;
    Ok(options.into_iter().collect())
}

/// Accumulates errors so that every problem of an attribute is reported at once.
#[derive(Default)]
pub(crate) struct Errors(Option<syn::Error>);

impl Errors {
    pub(crate) fn push(&mut self, error: syn::Error) {
        match &mut self.0 {
            Some(errors) => errors.combine(error),
            None => self.0 = Some(error),
        }
    }

    pub(crate) fn add(&mut self, tokens: impl ToTokens, message: impl std::fmt::Display) {
        self.push(syn::Error::new_spanned(tokens, message));
    }

    pub(crate) fn finish(self) -> syn::Result<()> {
        self.0.map_or(Ok(()), Err)
    }
}

/// The value of `name = value` as a path, or an error naming the attribute.
pub(crate) fn path_value(
    attribute: &str,
    option: &AttrOption,
    errors: &mut Errors,
) -> Option<Path> {
    match &option.value {
        Some(Expr::Path(path)) if path.qself.is_none() => Some(path.path.clone()),
        Some(other) => {
            errors.add(
                other,
                format!(
                    "`{attribute}` option `{}` takes a path, like `{} = my_module::Name`",
                    option.name, option.name
                ),
            );
            None
        }
        None => {
            errors.add(
                &option.name,
                format!(
                    "`{attribute}` option `{}` needs a value: `{} = ...`",
                    option.name, option.name
                ),
            );
            None
        }
    }
}

/// The path generated code uses to reach pyventus: `::pyventus`, or the `crate = ..` override.
pub(crate) fn crate_path(path: Option<Path>) -> TokenStream {
    match path {
        Some(path) => path.into_token_stream(),
        None => quote!(::pyventus),
    }
}

/// The compile error of `error`, followed by the user's item unchanged (so that code using the item does
/// not fail too).
pub(crate) fn error_with_item(error: syn::Error, item: TokenStream) -> TokenStream {
    let error = error.into_compile_error();
    quote! {
        #error
        #item
    }
}

/// Where to point when the attribute is on the wrong kind of item.
pub(crate) fn item_span(item: &Item) -> Span {
    match item {
        Item::Fn(item) => item.sig.ident.span(),
        Item::Union(item) => item.union_token.span(),
        Item::Trait(item) => item.ident.span(),
        Item::Type(item) => item.ident.span(),
        Item::Impl(item) => item.impl_token.span(),
        Item::Mod(item) => item.ident.span(),
        Item::Const(item) => item.ident.span(),
        Item::Static(item) => item.ident.span(),
        other => other.span(),
    }
}
