//! A short excerpt of a result around the words searched for, so an analyst sees why
//! it matched without opening it.

use super::Document;

/// How many characters of context an excerpt keeps around the first hit.
const CONTEXT: usize = 60;

/// Which field matched and an excerpt of it with each hit wrapped in `**`. Plain text
/// (no HTML): a client renders it as it likes, and nothing in it can run as markup.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Highlight {
    pub field: &'static str,
    pub text: String,
}

/// The excerpt of the first field (in ranking order: name, aliases, patterns, labels,
/// description) holding one of `words` (lower-case, as `Query::highlight_words`
/// gives them), matched at word starts; `None` when no field does (a prefix or
/// phrase matched in a way this simple matcher does not see).
pub fn highlight(document: &Document, words: &[String]) -> Option<Highlight> {
    if words.is_empty() {
        return None;
    }
    let fields = [
        ("name", &document.name),
        ("aliases", &document.aliases),
        ("patterns", &document.patterns),
        ("labels", &document.labels),
        ("description", &document.description),
    ];
    fields.into_iter().find_map(|(field, text)| excerpt(text, words).map(|text| Highlight { field, text }))
}

/// Character ranges of the words of `text` that start with one of `words`.
fn hits(text: &str, words: &[String]) -> Vec<(usize, usize)> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut index = 0;
    while index < chars.len() {
        if !chars[index].is_alphanumeric() {
            index += 1;
            continue;
        }
        let start = index;
        while index < chars.len() && chars[index].is_alphanumeric() {
            index += 1;
        }
        let word: String = chars[start..index].iter().collect::<String>().to_lowercase();
        if words.iter().any(|wanted| word.starts_with(wanted.as_str())) {
            out.push((start, index));
        }
    }
    out
}

fn excerpt(text: &str, words: &[String]) -> Option<String> {
    let found = hits(text, words);
    let first = found.first()?;
    let chars: Vec<char> = text.chars().collect();
    let from = first.0.saturating_sub(CONTEXT);
    let to = (first.1 + CONTEXT).min(chars.len());
    let mut out = String::new();
    if from > 0 {
        out.push('…');
    }
    let mut cursor = from;
    for &(start, end) in found.iter().filter(|(start, end)| *start >= from && *end <= to) {
        out.extend(&chars[cursor..start]);
        out.push_str("**");
        out.extend(&chars[start..end]);
        out.push_str("**");
        cursor = end;
    }
    out.extend(&chars[cursor..to]);
    if to < chars.len() {
        out.push('…');
    }
    Some(out.replace('\n', " · "))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn the_name_is_preferred_and_hits_are_marked() {
        let document =
            Document { name: "Emotet loader".into(), description: "The emotet botnet".into(), ..Document::default() };
        let found = highlight(&document, &["emotet".into()]).expect("a hit");
        assert_eq!(found, Highlight { field: "name", text: "**Emotet** loader".into() });
        let found = highlight(&document, &["bot".into()]).expect("a prefix hit");
        assert_eq!(found.field, "description");
        assert_eq!(found.text, "The emotet **botnet**");
        assert_eq!(highlight(&document, &["qakbot".into()]), None);
    }

    #[test]
    fn long_fields_are_cut_around_the_first_hit() {
        let description = format!("{} needle {}", "hay ".repeat(100), "straw ".repeat(100));
        let document = Document { description, ..Document::default() };
        let found = highlight(&document, &["needle".into()]).expect("a hit");
        assert!(found.text.starts_with('…') && found.text.ends_with('…'));
        assert!(found.text.contains("**needle**"));
        assert!(found.text.chars().count() < 2 * CONTEXT + 20);
    }

    proptest! {
        #[test]
        fn any_text_and_words_never_panic(text in "\\PC{0,200}", word in "\\PC{0,10}") {
            let document = Document { description: text, ..Document::default() };
            let _ = highlight(&document, &[word.to_lowercase()]);
        }
    }
}
