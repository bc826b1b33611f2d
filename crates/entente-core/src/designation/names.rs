//! Name normalisation for matching records of different lists.
//!
//! [`normalise`] folds the differences that do not make a different name: case,
//! diacritics and scripts (transliterated to ASCII), punctuation, and the Arabic
//! article written `Al-`, `Al `, `al` or `El-`, which becomes a prefix of the word it
//! qualifies (`Al-Qaida`, `Al Qaida` and `AlQaida` all read `alqaida`). A leading
//! English `the` is dropped. [`keys`] gives every normalised form one record can be
//! found by: its name without parenthesised parts, each alias, and for individuals the
//! same words in sorted order, since lists disagree on which name comes first
//! (`ABBAS, Abu` and `ABU ABBAS`).
//!
//! Invariants: [`normalise`] is idempotent, and its output holds only `a-z`, `0-9` and
//! single spaces between words.
//!
//! What it deliberately does not do: fuzzy or phonetic matching (`Qaida`/`Qaeda`).
//! Those are for an analyst to link; a wrong automatic match is worse than none.

use super::EntityKind;

/// Articles joined to the next word.
const ARTICLES: [&str; 3] = ["al", "el", "ul"];

/// Keys shorter than this are too ambiguous to group on.
pub const MIN_KEY_LEN: usize = 3;

/// The normalised form of a name.
pub fn normalise(text: &str) -> String {
    let ascii = deunicode::deunicode(text).to_ascii_lowercase();
    let cleaned: String =
        ascii.chars().map(|character| if character.is_ascii_alphanumeric() { character } else { ' ' }).collect();
    let mut words: Vec<String> = Vec::new();
    // Articles accumulate until a word takes them, so `al al x` reads `alalx` and a
    // second pass finds nothing left to join (idempotence).
    let mut pending_article = String::new();
    for word in cleaned.split_whitespace() {
        if ARTICLES.contains(&word) {
            pending_article.push_str(word);
            continue;
        }
        words.push(format!("{}{word}", std::mem::take(&mut pending_article)));
    }
    if !pending_article.is_empty() {
        words.push(pending_article);
    }
    while words.len() > 1 && words[0] == "the" {
        words.remove(0);
    }
    words.join(" ")
}

/// A name with its parenthesised parts removed: `Hizballah (Party of God)` → `Hizballah`.
pub fn without_parentheses(text: &str) -> String {
    let mut depth = 0usize;
    let mut kept = String::with_capacity(text.len());
    for character in text.chars() {
        match character {
            '(' => depth += 1,
            ')' => depth = depth.saturating_sub(1),
            _ if depth == 0 => kept.push(character),
            _ => {}
        }
    }
    kept
}

/// The words of a normalised name in sorted order.
fn sorted_words(normalised: &str) -> String {
    let mut words: Vec<&str> = normalised.split(' ').collect();
    words.sort_unstable();
    words.join(" ")
}

/// Every key one record can be matched by, without duplicates.
pub fn keys(kind: EntityKind, name: &str, aliases: &[String]) -> Vec<String> {
    let mut keys: Vec<String> = Vec::new();
    let mut add = |text: &str| {
        let key = normalise(&without_parentheses(text));
        let key = if kind == EntityKind::Individual { sorted_words(&key) } else { key };
        if key.len() >= MIN_KEY_LEN && !keys.contains(&key) {
            keys.push(key);
        }
    };
    add(name);
    aliases.iter().for_each(|alias| add(alias));
    keys
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn folds_the_usual_variants() {
        assert_eq!(normalise("Al-Qaida"), "alqaida");
        assert_eq!(normalise("AL QAIDA"), "alqaida");
        assert_eq!(normalise("al‑Qaïda"), "alqaida");
        assert_eq!(normalise("Asbat Al-Ansar"), normalise("ASBAT AL ANSAR"));
        assert_eq!(normalise("The Base"), "base");
        assert_eq!(normalise("Ejército de Liberación Nacional"), "ejercito de liberacion nacional");
        assert_eq!(normalise("Kurdistan Workers' Party"), "kurdistan workers party");
        assert_eq!(normalise("  "), "");
        assert_eq!(normalise("al"), "al");
    }

    #[test]
    fn individuals_match_in_any_word_order() {
        let ofac = keys(EntityKind::Individual, "ABBAS, Abu", &[]);
        let un = keys(EntityKind::Individual, "ABU ABBAS", &[]);
        assert_eq!(ofac, un);
        // Organisations keep their word order: "Party Workers" is not "Workers Party".
        assert_ne!(
            keys(EntityKind::Organization, "Workers Party", &[]),
            keys(EntityKind::Organization, "Party Workers", &[])
        );
    }

    #[test]
    fn keys_cover_aliases_without_parentheses() {
        let found = keys(EntityKind::Organization, "Al Qaida in the Indian Subcontinent (AQIS)", &["AQIS".to_owned()]);
        assert_eq!(found, vec!["alqaida in the indian subcontinent".to_owned(), "aqis".to_owned()]);
        assert!(keys(EntityKind::Organization, "AB", &[]).is_empty());
    }

    fn name() -> impl Strategy<Value = String> {
        proptest::collection::vec("(al|el|the|[a-zA-Zéüçñ]{1,8})", 1..6).prop_map(|words| words.join(" "))
    }

    proptest! {
        #[test]
        fn normalise_is_idempotent(text in "\\PC{0,40}") {
            let once = normalise(&text);
            prop_assert_eq!(normalise(&once), once.clone());
            prop_assert!(once.bytes().all(|byte| byte.is_ascii_lowercase() || byte.is_ascii_digit() || byte == b' '));
            prop_assert!(!once.contains("  ") && !once.starts_with(' ') && !once.ends_with(' '));
        }

        #[test]
        fn case_is_ignored(text in name()) {
            prop_assert_eq!(normalise(&text.to_uppercase()), normalise(&text.to_lowercase()));
        }

        #[test]
        fn punctuation_between_words_is_ignored(text in name(), separator in "[-.,'/ ]{1,3}") {
            let punctuated = text.split(' ').collect::<Vec<_>>().join(&separator);
            prop_assert_eq!(normalise(&punctuated), normalise(&text));
        }

        #[test]
        fn word_order_is_ignored_for_individuals(mut words in proptest::collection::vec("[a-z]{4,8}", 1..5)) {
            let forward = keys(EntityKind::Individual, &words.join(" "), &[]);
            words.reverse();
            let backward = keys(EntityKind::Individual, &words.join(", "), &[]);
            prop_assert_eq!(forward, backward);
        }

        #[test]
        fn every_alias_is_a_key(name in name(), alias in "[a-z]{3,10}( [a-z]{3,10})?") {
            let found = keys(EntityKind::Organization, &name, std::slice::from_ref(&alias));
            prop_assert!(found.contains(&normalise(&alias)));
        }
    }
}
