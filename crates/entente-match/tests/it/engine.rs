//! Examples of what the engine finds (the property tests hold it to the reference).

use entente_match::format::{Format, Layout};
use entente_match::search::Searcher;
use entente_match::{Engine, Kind, Rule, Term};

fn found(rules: Vec<Rule>, text: &str) -> Vec<(String, String)> {
    let (engine, report) = Engine::build(rules);
    assert!(report.rejected.is_empty(), "{:?}", report.rejected);
    let layout = Layout::new(Format::Text);
    let searcher = Searcher::new(&engine, &layout);
    let mut out = Vec::new();
    searcher.search(text.as_bytes(), &mut |m| {
        out.push((engine.rule(m.rule).id.clone(), text[m.start..m.end].to_owned()));
    });
    out
}

fn one(id: &str, kind: Kind, value: &str) -> Rule {
    Rule::single(id, Term::new(kind, value))
}

#[test]
fn each_kind_in_text() {
    let rules = vec![
        one("v4", Kind::Ipv4, "10.0.0.0/8"),
        one("v4x", Kind::Ipv4, "192.168.1.7"),
        one("v6", Kind::Ipv6, "2001:db8::/32"),
        one("dom", Kind::Domain, "evil.example"),
        one("url", Kind::Url, "http://bad.org/x?q=1"),
        one("mail", Kind::Email, "boss@corp.example"),
        one("md5", Kind::Md5, "d41d8cd98f00b204e9800998ecf8427e"),
        one("fp", Kind::Fingerprint, &"ab".repeat(20)),
    ];
    let text = "conn 10.1.2.3:443 -> 192.168.1.7 and 192.168.1.70\n\
                v6 [2001:DB8:0:1::5]:53 www.EVIL.example. notevil.example\n\
                GET HTTP://Bad.org:80/x?q=1 from Boss@Corp.Example\n\
                hash=D41D8CD98F00B204E9800998ECF8427E fp AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB\n";
    let got = found(rules, text);
    let want: Vec<(String, String)> = [
        ("v4", "10.1.2.3"),
        ("v4x", "192.168.1.7"),
        ("v6", "2001:DB8:0:1::5"),
        ("dom", "www.EVIL.example"),
        ("url", "HTTP://Bad.org:80/x?q=1"),
        ("mail", "Boss@Corp.Example"),
        ("md5", "D41D8CD98F00B204E9800998ECF8427E"),
        ("fp", "AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB"),
    ]
    .into_iter()
    .map(|(a, b)| (a.to_owned(), b.to_owned()))
    .collect();
    assert_eq!(got, want);
}

#[test]
fn conjunctions_need_every_term_on_one_line() {
    let rule = Rule {
        id: "both".into(),
        alternatives: vec![vec![Term::new(Kind::Ipv4, "1.2.3.4"), Term::new(Kind::Domain, "c2.example")]],
    };
    let got = found(vec![rule], "1.2.3.4 alone\nc2.example alone\n1.2.3.4 talks to c2.example\n");
    assert_eq!(got.len(), 2);
    assert_eq!(got[0], ("both".to_owned(), "1.2.3.4".to_owned()));
}

#[test]
fn bad_values_are_rejected_by_name() {
    let (_, report) = Engine::build(vec![one("bad", Kind::Ipv4, "1.2.3"), one("good", Kind::Domain, "a.example")]);
    assert_eq!(report.rules, 1);
    assert_eq!(report.rejected.len(), 1);
    assert_eq!(report.rejected[0].id, "bad");
}

#[test]
fn lines_and_line_numbers_count_every_record() {
    let (engine, _) = Engine::build(vec![one("ip", Kind::Ipv4, "10.0.0.1")]);
    let layout = Layout::new(Format::Text);
    let searcher = Searcher::new(&engine, &layout);
    for (text, lines, hit_lines) in [
        ("", 0, vec![]),
        ("x", 1, vec![]),
        ("x\n", 1, vec![]),
        ("a\n10.0.0.1\n\nb 10.0.0.1 10.0.0.1\nc", 5, vec![2, 4, 4]),
        ("\n\n\n10.0.0.1\n", 4, vec![4]),
    ] {
        let mut seen = Vec::new();
        let stats = searcher.search(text.as_bytes(), &mut |m| seen.push(m.line));
        assert_eq!(stats.lines, lines, "{text:?}");
        assert_eq!(seen, hit_lines, "{text:?}");
        assert_eq!(stats.matches as usize, hit_lines.len());
    }
}

#[test]
fn a_domain_in_a_long_token_before_a_colon() {
    // Found by the property tests: a token longer than a block, ending in `:`.
    let long = format!("{}example.example", "a1-_.".repeat(15));
    let got = found(vec![one("d", Kind::Domain, "example.example")], &format!("{long}:443"));
    assert_eq!(got, vec![("d".to_owned(), long)]);
}

#[test]
fn last_labels_with_digits_match_when_an_indicator_has_one() {
    let rules = vec![one("idn", Kind::Domain, "evil.xn--p1ai"), one("plain", Kind::Domain, "evil.example")];
    let got = found(rules, "a.evil.xn--p1ai id.orig_h www.evil.example");
    let ids: Vec<&str> = got.iter().map(|(id, _)| id.as_str()).collect();
    assert_eq!(ids, ["idn", "plain"]);
}

/// Tokens that fill a 64-byte block exactly, or cross into the next by a byte or none,
/// at every alignment: the masks of two blocks are joined only at a token's end.
#[test]
fn tokens_at_block_boundaries() {
    let sha256 = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
    let domain = format!("{}.evil.example", "a".repeat(50));
    for pad in 0..130 {
        let text = format!("{} {sha256} {domain}.\n", " ".repeat(pad));
        let rules = vec![one("hash", Kind::Sha256, sha256), one("dom", Kind::Domain, "evil.example")];
        let got: Vec<String> = found(rules, &text).into_iter().map(|(id, _)| id).collect();
        assert_eq!(got, ["hash", "dom"], "padding {pad}");
    }
}
