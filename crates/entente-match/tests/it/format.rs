//! Structured inputs end to end: a hit's field comes from the format, and hits whose
//! kind does not fit their field are dropped and counted (`Stats::off_field`).

use entente_match::format::{FieldType, Format, Layout};
use entente_match::search::{Searcher, Stats};
use entente_match::{Engine, Kind, Rule, Term};

/// (indicator id, matched text, field name, field type, timestamp) of every match.
type Found = Vec<(String, String, Option<(String, FieldType)>, Option<f64>)>;

fn search(layout: &Layout, text: &str) -> (Found, Stats) {
    let rules = vec![
        Rule::single("dom", Term::new(Kind::Domain, "evil.example")),
        Rule::single("net", Term::new(Kind::Ipv4, "203.0.113.0/24")),
    ];
    let (engine, report) = Engine::build(rules);
    assert!(report.rejected.is_empty(), "{:?}", report.rejected);
    let searcher = Searcher::new(&engine, layout);
    let mut found = Vec::new();
    let stats = searcher.search(text.as_bytes(), &mut |m| {
        found.push((
            engine.rule(m.rule).id.clone(),
            text[m.start..m.end].to_owned(),
            m.field.map(|f| (f.name.to_owned(), f.ty)),
            m.timestamp,
        ));
    });
    (found, stats)
}

fn field(name: &str, ty: FieldType) -> Option<(String, FieldType)> {
    Some((name.to_owned(), ty))
}

#[test]
fn json_lines_keep_only_hits_whose_kind_fits_the_field() {
    // A Zeek dns.log record (shape of /work/shared/data/zeek/dns.json.gz) with the
    // indicators planted where they fit and where they do not.
    let line = r#"{"ts":"2018-03-24T17:15:20.865716Z","uid":"evil.example","id.orig_h":"10.47.1.100","id.resp_h":"203.0.113.7","query":"www.evil.example","qtype_name":"A","answers":["203.0.113.9"],"evil.example":true,"server_name":"203.0.113.8"}"#;
    let layout = Layout::new(Format::detect(line.as_bytes(), Some("dns.log")));
    assert_eq!(layout.format, Format::Jsonl);
    let (found, stats) = search(&layout, &format!("{line}\n"));
    let time = Some(1_521_911_720.865_716);
    let want: Found = vec![
        ("net".into(), "203.0.113.7".into(), field("id.resp_h", FieldType::Address), time),
        ("dom".into(), "www.evil.example".into(), field("query", FieldType::Domain), time),
        ("net".into(), "203.0.113.9".into(), field("answers", FieldType::Text), time),
        // A key names no field: the hit counts as it would in text.
        ("dom".into(), "evil.example".into(), None, time),
    ];
    assert_eq!(found, want);
    // Dropped: the domain in `uid` (nothing matches there) and the address in
    // `server_name` (domains only).
    assert_eq!(stats.off_field, 2);
    assert_eq!(stats.matches, 4);
    assert_eq!(stats.lines, 1);
}

#[test]
fn zeek_tsv_columns_are_typed_and_header_lines_skipped() {
    let input = "#separator \\x09\n\
        #set_separator\t,\n\
        #path\tconn\n\
        #fields\tts\tuid\tid.orig_h\tid.resp_h\tservice\n\
        #types\ttime\tstring\taddr\taddr\tstring\n\
        1521911720.5\tevil.example\t10.0.0.1\t203.0.113.7\twww.evil.example\n\
        #close\t203.0.113.7 evil.example\n";
    let mut layout = Layout::new(Format::detect(input.as_bytes(), Some("conn.log")));
    assert_eq!(layout.format, Format::Zeek);
    let header = layout.read_header(input.as_bytes());
    let (found, stats) = search(&layout, &input[header..]);
    let want: Found = vec![
        ("net".into(), "203.0.113.7".into(), field("id.resp_h", FieldType::Address), Some(1_521_911_720.5)),
        ("dom".into(), "www.evil.example".into(), field("service", FieldType::Text), Some(1_521_911_720.5)),
    ];
    assert_eq!(found, want);
    assert_eq!(stats.off_field, 1, "the domain in `uid`");
}

#[test]
fn csv_columns_come_from_the_header_line() {
    let input = "time,src_ip,note,md5\n\
        1970-01-01T00:00:10Z,203.0.113.7,\"seen 203.0.113.8, evil.example\",evil.example\n";
    let mut layout = Layout::new(Format::detect(input.as_bytes(), Some("alerts.csv")));
    assert_eq!(layout.format, Format::Csv);
    let header = layout.read_header(input.as_bytes());
    let (found, stats) = search(&layout, &input[header..]);
    let want: Found = vec![
        ("net".into(), "203.0.113.7".into(), field("src_ip", FieldType::Address), Some(10.0)),
        ("net".into(), "203.0.113.8".into(), field("note", FieldType::Text), Some(10.0)),
        ("dom".into(), "evil.example".into(), field("note", FieldType::Text), Some(10.0)),
    ];
    assert_eq!(found, want);
    assert_eq!(stats.off_field, 1, "the domain in `md5`");
}
