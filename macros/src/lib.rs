//! Procedural macros for the `framework0` crate: `#[performance_timer]`.
//!
//! Usage (exercised by the main crate's `tests/metrics_timer.rs` and `tests/ui/` trybuild cases;
//! a doctest here cannot link the parent crate):
//! ```text
//! use framework0::performance_timer;
//!
//! #[performance_timer]                       // name: module path + "::" + function
//! fn parse(input: &str) -> usize { input.len() }
//!
//! #[performance_timer(metric_name = "db_query", tags(db = "main"))]
//! async fn query(sql: &str) -> Result<u64, std::io::Error> { Ok(1) }
//! ```
//!
//! Each call is recorded as a `timing`/`ns` metric tagged `function = <fn name>` (plus the
//! given tags). A function whose return type is a `Result` (any path ending in `Result`,
//! e.g. `io::Result<T>`) records `<name>_error` with `status = "error"` when it returns
//! `Err`; a panic records the error metric and keeps unwinding. Sync and async functions and
//! methods are accepted; `const fn`, items that are not functions, bodiless trait methods and
//! unknown or malformed arguments are refused with a compile error.

mod args;

use proc_macro::TokenStream;
use proc_macro2::TokenStream as TokenStream2;
use quote::{quote, quote_spanned, ToTokens};
use syn::spanned::Spanned;
use syn::{parse_macro_input, ItemFn, ReturnType, Type};

use args::TimerArgs;

/// Times every call of the function it is applied to; see the crate docs.
#[proc_macro_attribute]
pub fn performance_timer(attr: TokenStream, item: TokenStream) -> TokenStream {
    let args = parse_macro_input!(attr with TimerArgs::parse);
    let func: ItemFn = match syn::parse(item) {
        Ok(f) => f,
        Err(e) => {
            let msg =
                format!("#[performance_timer] can only be applied to a function with a body ({e})");
            return syn::Error::new(e.span(), msg).to_compile_error().into();
        }
    };
    match expand(args, func) {
        Ok(ts) => ts.into(),
        Err(e) => e.to_compile_error().into(),
    }
}

fn expand(args: TimerArgs, func: ItemFn) -> syn::Result<TokenStream2> {
    let sig = &func.sig;
    if let Some(c) = &sig.constness {
        return Err(syn::Error::new(
            c.span(),
            "#[performance_timer] cannot time a `const fn`: reading the clock is not allowed in const evaluation",
        ));
    }
    let fn_name = sig.ident.to_string();
    let name = match &args.metric_name {
        Some(lit) => lit.to_token_stream(),
        None => quote!(::core::concat!(::core::module_path!(), "::", #fn_name)),
    };
    let (keys, values): (Vec<_>, Vec<_>) = args.tags.iter().cloned().unzip();
    let site = quote! {
        static __F0_TIMER_SITE: ::framework0::metrics::__private::TimerSite =
            ::framework0::metrics::__private::TimerSite::new(#name, #fn_name, &[#((#keys, #values)),*]);
    };
    let ret: Type = match &sig.output {
        ReturnType::Default => syn::parse_quote!(()),
        ReturnType::Type(_, t) => (**t).clone(),
    };
    let is_result = returns_result(&ret);
    let nameable = !mentions_impl(&ret);
    let block = &func.block;
    // Error text by autoref specialisation on the concrete error type: Display, else Debug,
    // else the type name.
    let failure_of = |r: TokenStream2| {
        quote! {{
            #[allow(unused_imports)]
            use ::framework0::metrics::__private::{ViaDebug as _, ViaDisplay as _, ViaName as _};
            match #r {
                ::core::result::Result::Ok(_) => ::core::option::Option::None,
                ::core::result::Result::Err(__f0_e) => ::core::option::Option::Some((
                    (&&&::framework0::metrics::__private::ErrText(__f0_e)).f0_text(),
                    ::framework0::metrics::__private::type_name_of(__f0_e),
                )),
            }
        }}
    };
    let classify = if is_result && nameable {
        let f = failure_of(quote!(__f0_r));
        quote!(|__f0_r: &#ret| #f)
    } else {
        quote!(|_| ::core::option::Option::None)
    };
    let body = if sig.asyncness.is_some() {
        let fut = if nameable {
            quote!(::framework0::metrics::__private::typed_future::<#ret, _>(async move #block))
        } else {
            quote!(async move #block)
        };
        quote! {
            #site
            ::framework0::metrics::__private::TimedFuture::new(&__F0_TIMER_SITE, #classify, #fut).await
        }
    } else if is_result {
        let call = if nameable {
            quote_spanned!(block.span()=> (move || -> #ret #block)())
        } else {
            quote_spanned!(block.span()=> (move || #block)())
        };
        let failure = failure_of(quote!(&__f0_out));
        quote! {
            #site
            let __f0_guard = __F0_TIMER_SITE.enter();
            #[allow(clippy::redundant_closure_call)]
            let __f0_out = #call;
            __f0_guard.finish(#failure);
            __f0_out
        }
    } else {
        quote! {
            #site
            let __f0_guard = __F0_TIMER_SITE.enter();
            #block
        }
    };
    let attrs = &func.attrs;
    let vis = &func.vis;
    Ok(quote! {
        #(#attrs)* #vis #sig {
            #body
        }
    })
}

/// Whether a return type is a `Result` (its last path segment is named `Result`).
fn returns_result(ty: &Type) -> bool {
    match ty {
        Type::Path(p) => p.path.segments.last().is_some_and(|s| s.ident == "Result"),
        Type::Group(g) => returns_result(&g.elem),
        Type::Paren(p) => returns_result(&p.elem),
        _ => false,
    }
}

/// Whether a type contains `impl Trait` (which cannot be written in a closure signature).
fn mentions_impl(ty: &Type) -> bool {
    ty.to_token_stream().into_iter().any(|t| {
        matches!(&t, proc_macro2::TokenTree::Ident(i) if i == "impl") || has_impl_in_group(&t)
    })
}

fn has_impl_in_group(t: &proc_macro2::TokenTree) -> bool {
    match t {
        proc_macro2::TokenTree::Group(g) => g.stream().into_iter().any(|t| {
            matches!(&t, proc_macro2::TokenTree::Ident(i) if i == "impl") || has_impl_in_group(&t)
        }),
        _ => false,
    }
}
