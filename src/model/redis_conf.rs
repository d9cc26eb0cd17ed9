//! `redis.conf` text carried in values (`redis.configmap`, `redis.defaultConfigOverride`), read the
//! way Redis reads its config: one directive per line, `#` comments, arguments split on whitespace
//! with quotes. Each argument keeps the span it was written at in the values file.

use crate::core::source::{Sources, Span};
use crate::tree::{Node, Value};

#[derive(Clone, Debug, PartialEq)]
pub struct Directive {
    /// Lower case, as Redis matches directive names.
    pub name: String,
    pub args: Vec<Arg>,
    /// The directive name as written.
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Arg {
    pub text: String,
    pub span: Span,
}

/// The directives of a config string node, in order. A node that is not a string has none.
pub fn directives(node: &Node, sources: &Sources) -> Vec<Directive> {
    let Value::Str(text) = &node.value else {
        return Vec::new();
    };
    // A chart default has no text of its own: its tokens get the value's span.
    let written = match sources.contains(node.span.source) {
        true => sources
            .get(node.span.source)
            .text
            .get(node.span.range())
            .unwrap_or_default(),
        false => "",
    };
    // Find each token in the written text, in order, to give it a span; a token that cannot be found
    // (escaped differently in a quoted YAML string) gets the span of the whole value.
    let mut cursor = 0usize;
    let mut locate = |token: &str| -> Span {
        match written[cursor..].find(token) {
            Some(at) => {
                let start = node.span.start as usize + cursor + at;
                cursor += at + token.len();
                Span::new(node.span.source, start..start + token.len())
            }
            None => node.span,
        }
    };
    let mut out = Vec::new();
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let mut words = split_args(line).into_iter();
        let Some(name) = words.next() else { continue };
        let span = locate(&name);
        let args = words
            .map(|w| {
                let span = locate(&w);
                Arg { text: w, span }
            })
            .collect();
        out.push(Directive {
            name: name.to_ascii_lowercase(),
            args,
            span,
        });
    }
    out
}

/// Splits a config line into arguments: whitespace separates, "double" and 'single' quotes group.
fn split_args(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    let mut quote: Option<char> = None;
    let mut in_word = false;
    for c in line.chars() {
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => current.push(c),
            None if c == '"' || c == '\'' => {
                quote = Some(c);
                in_word = true;
            }
            None if c.is_whitespace() => {
                if in_word {
                    out.push(std::mem::take(&mut current));
                    in_word = false;
                }
            }
            None => {
                current.push(c);
                in_word = true;
            }
        }
    }
    if in_word {
        out.push(current);
    }
    out
}

/// The last directive of a name: most Redis settings keep the last value given.
pub fn last<'d>(directives: &'d [Directive], name: &str) -> Option<&'d Directive> {
    directives.iter().rev().find(|d| d.name == name)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::source::{Origin, Source, SourceId};

    #[test]
    fn directives_with_spans_in_a_block_scalar() {
        let text = "redis:\n  configmap: |\n    # modules\n    loadmodule /m/redisearch.so OSS_GLOBAL_PASSWORD pw\n    maxmemory-policy allkeys-lru\n    maxmemory-policy noeviction\n";
        let mut sources = Sources::default();
        let id = sources.add(Source::new("v.yaml".into(), Origin::File, text.into()));
        let doc = crate::yaml::parse(id, text).documents.remove(0);
        let node = doc.get(&["redis", "configmap"]).unwrap();
        let d = directives(node, &sources);
        assert_eq!(d.len(), 3);
        assert_eq!(d[0].name, "loadmodule");
        assert_eq!(
            d[0].args.iter().map(|a| a.text.as_str()).collect::<Vec<_>>(),
            ["/m/redisearch.so", "OSS_GLOBAL_PASSWORD", "pw"]
        );
        assert_eq!(&text[d[0].args[2].span.range()], "pw");
        assert_eq!(last(&d, "maxmemory-policy").unwrap().args[0].text, "noeviction");
        assert_eq!(
            sources.get(SourceId(0)).line_col(d[2].span.start as usize),
            (6, 5)
        );
    }

    #[test]
    fn quotes_group_arguments() {
        assert_eq!(split_args("save \"900 1\" '300 10'"), ["save", "900 1", "300 10"]);
    }
}
