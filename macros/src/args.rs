//! Parsing `#[performance_timer(metric_name = "...", tags(key = "value", ...))]`.

use syn::meta::ParseNestedMeta;
use syn::parse::{ParseStream, Parser};
use syn::LitStr;

/// Tag keys the timer sets itself.
const RESERVED_TAGS: [&str; 2] = ["function", "status"];

/// The attribute's arguments.
#[derive(Default)]
pub(crate) struct TimerArgs {
    pub(crate) metric_name: Option<LitStr>,
    pub(crate) tags: Vec<(String, LitStr)>,
}

impl TimerArgs {
    pub(crate) fn parse(input: ParseStream) -> syn::Result<TimerArgs> {
        let mut args = TimerArgs::default();
        let mut saw_tags = false;
        let parser = syn::meta::parser(|meta| {
            if meta.path.is_ident("metric_name") {
                if args.metric_name.is_some() {
                    return Err(meta.error("`metric_name` is given twice"));
                }
                let lit = string_value(&meta, "metric_name = \"my_metric\"")?;
                if lit.value().trim().is_empty() {
                    return Err(syn::Error::new(
                        lit.span(),
                        "`metric_name` must not be empty",
                    ));
                }
                args.metric_name = Some(lit);
                Ok(())
            } else if meta.path.is_ident("tags") {
                if saw_tags {
                    return Err(meta.error("`tags(...)` is given twice; put all tags in one list"));
                }
                saw_tags = true;
                meta.parse_nested_meta(|tag| {
                    let key = tag
                        .path
                        .get_ident()
                        .ok_or_else(|| {
                            tag.error("a tag key must be a plain identifier, e.g. `db = \"main\"`")
                        })?
                        .to_string();
                    if RESERVED_TAGS.contains(&key.as_str()) {
                        return Err(tag.error(format!(
                            "tag `{key}` is set by the timer itself (reserved: function, status)"
                        )));
                    }
                    if args.tags.iter().any(|(k, _)| *k == key) {
                        return Err(tag.error(format!("tag `{key}` is given twice")));
                    }
                    let value = string_value(&tag, "key = \"value\"")?;
                    args.tags.push((key, value));
                    Ok(())
                })
            } else {
                let name = meta
                    .path
                    .get_ident()
                    .map(ToString::to_string)
                    .unwrap_or_else(|| "this argument".into());
                Err(meta.error(format!(
                    "unknown argument `{name}`; expected `metric_name = \"...\"` or `tags(key = \"value\", ...)`"
                )))
            }
        });
        parser.parse2(input.parse()?)?;
        Ok(args)
    }
}

/// Reads `= "string"` after a key, with a clear error for anything else.
fn string_value(meta: &ParseNestedMeta, example: &str) -> syn::Result<LitStr> {
    let key = meta
        .path
        .get_ident()
        .map(ToString::to_string)
        .unwrap_or_default();
    let value = meta
        .value()
        .map_err(|_| meta.error(format!("`{key}` needs a string value, e.g. `{example}`")))?;
    let expr: syn::Expr = value.parse()?;
    match expr {
        syn::Expr::Lit(syn::ExprLit {
            lit: syn::Lit::Str(s),
            ..
        }) => Ok(s),
        other => Err(syn::Error::new_spanned(
            other,
            format!("`{key}` must be a string literal, e.g. `{example}`"),
        )),
    }
}
