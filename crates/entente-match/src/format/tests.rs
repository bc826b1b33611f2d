//! The format API as the searcher uses it, and property tests: any bytes and any
//! offset are answered without panicking, and generated records name the right keys
//! and columns.

use super::*;
use proptest::prelude::*;

#[test]
fn detection() {
    let detect = |start: &[u8], name: Option<&str>| Format::detect(start, name);
    assert_eq!(detect(b"{\"ts\":1}", None), Format::Jsonl);
    assert_eq!(detect(b"\n \t{\"ts\":1}", Some("x.csv")), Format::Jsonl, "content wins over the name");
    assert_eq!(detect(b"\xEF\xBB\xBF{}", None), Format::Jsonl);
    assert_eq!(detect(b"#separator \\x09\n", Some("conn.log.gz")), Format::Zeek);
    assert_eq!(detect(b" #separator \\x09\n", None), Format::Text, "Zeek's header starts the input");
    assert_eq!(detect(b"a,b\n", Some("flows.csv")), Format::Csv);
    assert_eq!(detect(b"a,b\n", Some("/logs/Flows.CSV.gz")), Format::Csv);
    assert_eq!(detect(b"a,b\n", Some("flows.csv.zst")), Format::Csv);
    assert_eq!(detect(b"a,b\n", Some("flows.csv.bak")), Format::Text);
    assert_eq!(detect(b"a,b\n", Some("csv")), Format::Text);
    assert_eq!(detect(b"", None), Format::Text);
    assert_eq!(detect(b"[1]", None), Format::Text);
    for format in Format::ALL {
        assert_eq!(Format::from_name(format.name()), Some(format));
    }
    assert_eq!(Format::from_name("json"), None);
}

#[test]
fn field_types_admit_the_kinds_their_values_are_made_of() {
    let admitted = |ty: FieldType| Kind::ALL.into_iter().filter(|kind| ty.admits(*kind)).collect::<Vec<_>>();
    use Kind::*;
    assert_eq!(admitted(FieldType::Text), Kind::ALL);
    assert_eq!(admitted(FieldType::Nothing), []);
    assert_eq!(admitted(FieldType::Address), [Ipv4, Ipv6]);
    assert_eq!(admitted(FieldType::Domain), [Domain]);
    assert_eq!(admitted(FieldType::Url), [Ipv4, Ipv6, Domain, Url]);
    assert_eq!(admitted(FieldType::Email), [Domain, Email]);
    assert_eq!(admitted(FieldType::Hash), [Md5, Sha1, Sha256, Sha512, Fingerprint]);
}

#[test]
fn layouts_name_fields_and_times() {
    let field = |layout: &Layout, line: &str, needle: &str| {
        let offset = line.find(needle).unwrap_or(usize::MAX);
        layout.field(line.as_bytes(), offset).map(|f| (f.name.to_owned(), f.ty))
    };
    let text = Layout::new(Format::Text);
    assert_eq!(field(&text, "query=a.example", "a.example"), None);
    assert_eq!(text.timestamp(b"1521911720 a.example"), None);

    let json = Layout::new(Format::Jsonl);
    let line = r#"{"ts":"1970-01-01T00:01:00Z","query":"a.example","id.resp_h":"1.2.3.4"}"#;
    assert_eq!(field(&json, line, "a.example"), Some(("query".into(), FieldType::Domain)));
    assert_eq!(field(&json, line, "1.2.3.4"), Some(("id.resp_h".into(), FieldType::Address)));
    assert_eq!(json.timestamp(line.as_bytes()), Some(60.0));

    let mut zeek = Layout::new(Format::Zeek);
    let input = "#separator \\x09\n#fields\tts\tquery\n#types\ttime\tstring\n60.5\ta.example\n#close\tx\n";
    let header = zeek.read_header(input.as_bytes());
    assert_eq!(&input[header..], "60.5\ta.example\n#close\tx\n");
    assert_eq!(field(&zeek, "60.5\ta.example", "a.example"), Some(("query".into(), FieldType::Domain)));
    assert_eq!(field(&zeek, "60.5\ta.example\textra", "extra"), None, "past the header's columns");
    assert_eq!(zeek.timestamp(b"60.5\ta.example"), Some(60.5));
    assert!(zeek.skips(b"#close\tx"));
    assert!(!zeek.skips(b"60.5\ta.example"));
    assert!(!json.skips(b"#close"));

    let mut csv = Layout::new(Format::Csv);
    assert_eq!(csv.read_header(b"domain,when,time\nx"), 17);
    assert_eq!(field(&csv, "a.example,1,2", "a.example"), Some(("domain".into(), FieldType::Domain)));
    assert_eq!(csv.timestamp(b"a.example,1,\"2\""), Some(2.0), "the column named `time`");
    assert_eq!(csv.timestamp(b"a.example,1"), None);

    let mut no_time = Layout::new(Format::Csv);
    no_time.read_header(b"a,b\n");
    assert_eq!(no_time.timestamp(b"1,2"), None);
    assert_eq!(Layout::new(Format::Jsonl).read_header(b"{\"a\":1}\n"), 0);
}

/// Bytes that make JSON, CSV and Zeek structure, so random lines hit the edge cases.
fn structured_bytes() -> impl Strategy<Value = Vec<u8>> {
    proptest::collection::vec(
        prop_oneof![
            Just(b'"'),
            Just(b'\\'),
            Just(b'{'),
            Just(b'}'),
            Just(b'['),
            Just(b']'),
            Just(b':'),
            Just(b','),
            Just(b'\t'),
            Just(b'#'),
            Just(b'\n'),
            Just(b' '),
            Just(b'a'),
            Just(b'.'),
            Just(b'1'),
            Just(0xff),
        ],
        0..64,
    )
}

fn any_line() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![proptest::collection::vec(any::<u8>(), 0..128), structured_bytes()]
}

proptest! {
    #[test]
    fn never_panics(header in any_line(), line in any_line(), offset in 0usize..140) {
        for format in Format::ALL {
            let _ = Format::detect(&line, Some("x.csv"));
            let mut layout = Layout::new(format);
            let length = layout.read_header(&header);
            prop_assert!(length <= header.len());
            let _ = layout.skips(&line);
            if let (Some(field), Format::Jsonl) = (layout.field(&line, offset), format) {
                // A key is found only for a byte of the line, and borrowed from it.
                prop_assert!(offset < line.len());
                prop_assert!(memchr::memmem::find(&line, field.name.as_bytes()).is_some());
            }
            let _ = layout.field(&line, line.len());
            let _ = layout.timestamp(&line);
        }
    }

    /// Generated objects: every value's first byte names its own key, in nested
    /// objects and arrays, with escaped quotes and backslashes in keys' neighbours.
    #[test]
    fn generated_json_values_name_their_keys(
        members in proptest::collection::vec(("[a-z_.]{1,8}", "[a-z0-9.]{1,8}", 0u8..4), 1..8),
    ) {
        let mut line = String::from("{");
        let mut expected = Vec::new();
        for (at, (key, value, shape)) in members.iter().enumerate() {
            if at > 0 {
                line.push(',');
            }
            line.push_str(&format!("\"{key}\":"));
            let prefix = match shape {
                0 => "\"",
                1 => "[\"x\\\"\",\"",
                2 => "{\"inner\":[1,{}],\"k\":\"q\\\\\"} , \"",
                _ => " [ [ \"",
            };
            // Shape 2 puts an object, then a comma, before the value: a string after a
            // comma in an object is read as a key, and a key names no field.
            line.push_str(prefix);
            expected.push((line.len(), if *shape == 2 { None } else { Some(key.clone()) }));
            line.push_str(value);
            line.push_str(match shape {
                0 => "\"",
                1 => "\"]",
                2 => "\"",
                _ => "\" ] ]",
            });
        }
        line.push('}');
        for (offset, key) in expected {
            prop_assert_eq!(jsonl::key_at(line.as_bytes(), offset).map(str::to_owned), key, "{} at {}", line, offset);
        }
    }

    /// Generated CSV records: every cell's first content byte is in its column.
    #[test]
    fn generated_csv_cells_are_in_their_column(cells in proptest::collection::vec(("[a-z,\" ]{0,6}", any::<bool>()), 1..8)) {
        let mut line = String::new();
        let mut expected = Vec::new();
        for (column, (text, quoted)) in cells.iter().enumerate() {
            if column > 0 {
                line.push(',');
            }
            let needs_quotes = *quoted || text.contains([',', '"']);
            if needs_quotes {
                line.push('"');
            }
            expected.push((line.len(), column));
            line.push_str(&if needs_quotes { text.replace('"', "\"\"") } else { text.clone() });
            if needs_quotes {
                line.push('"');
            }
        }
        for (offset, column) in expected {
            prop_assert_eq!(csv::column_at(line.as_bytes(), offset), Some(column), "{} at {}", line, offset);
        }
    }
}
