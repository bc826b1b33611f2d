//! The three real designation lists of `shared/data/designations/`: what each parser
//! reads, and the divergence they show together.

use entente_core::Timestamp;
use entente_core::designation::divergence::{self, Grouping};
use entente_core::designation::stix::plan;
use entente_core::designation::{EntityKind, Format, ParsedList, Status, parse};

const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data/designations");

fn list(file: &str) -> ParsedList {
    let bytes = std::fs::read(format!("{DATA}/{file}")).expect("the shared designation data is present");
    parse(&bytes, None).expect("the real list parses")
}

fn count(list: &ParsedList, kind: EntityKind) -> usize {
    list.records.iter().filter(|record| record.kind == kind).count()
}

#[test]
fn un_list_has_every_individual_and_entity() {
    let un = list("un-consolidated.xml");
    assert_eq!(un.format, Format::UnXml);
    assert_eq!(un.records.len(), 1003);
    assert_eq!(count(&un, EntityKind::Individual), 730);
    assert_eq!(count(&un, EntityKind::Organization), 273);
    assert!(un.records.iter().all(|record| record.listed_on.is_some() && record.programmes.len() == 1));
    let asbat =
        un.records.iter().find(|record| record.reference == "QDe.007").expect("Asbat al-Ansar is on the UN list");
    assert_eq!(asbat.name, "ASBAT AL-ANSAR");
}

#[test]
fn ofac_keeps_the_terrorism_programmes() {
    let ofac = list("ofac-sdn.csv");
    assert_eq!(ofac.format, Format::OfacCsv);
    // 7,379 rows, of which 1,422 carry SDGT, SDT or FTO (checked with Python's csv module).
    assert_eq!(ofac.rows_read, 7379);
    assert_eq!(ofac.records.len(), 1422);
    assert_eq!(count(&ofac, EntityKind::Individual), 838);
    assert_eq!(count(&ofac, EntityKind::Organization), 452);
    assert_eq!(count(&ofac, EntityKind::Other), 132);
    let eta = ofac.records.iter().find(|record| record.reference == "4693").expect("ETA is on the SDN list");
    assert_eq!(eta.aliases, vec!["ETA".to_owned(), "K.A.S.".to_owned()]);
}

#[test]
fn canada_has_its_listed_entities() {
    let canada = list("canada-listed-terrorist-entities.json");
    assert_eq!(canada.format, Format::MispGalaxy);
    assert_eq!(canada.records.len(), 90);
    assert!(canada.records.iter().all(|record| record.listed_on.is_some()));
}

#[test]
fn divergence_across_the_three_lists() {
    let now = Timestamp::parse("2026-01-01T00:00:00Z").expect("timestamp");
    let mut rows = Vec::new();
    for file in ["un-consolidated.xml", "ofac-sdn.csv", "canada-listed-terrorist-entities.json"] {
        let planned = plan(&list(file), &[], now).expect("every record makes valid STIX");
        rows.extend(planned.rows);
    }
    let groups = divergence::group(&rows, &[]);
    // The same organisation under three spellings, listed by all three.
    let asbat = divergence::find(&groups, "Asbat al-Ansar");
    assert_eq!(asbat.len(), 1);
    assert_eq!(asbat[0].grouping, Grouping::Candidate);
    assert_eq!(asbat[0].listed_by, vec!["ca", "ofac", "un"]);
    // The PKK: Canada and the US list it, the UN does not.
    let pkk = divergence::find(&groups, "Kurdistan Workers' Party");
    assert_eq!(pkk.len(), 1);
    assert_eq!(pkk[0].listed_by, vec!["ca", "ofac"]);
    assert_eq!(pkk[0].not_listed_by, vec!["un"]);
    assert!(pkk[0].records.iter().any(|record| record.name == "Kurdistan Workers Party (PKK)"));
    // The Proud Boys: Canada alone.
    assert_eq!(divergence::find(&groups, "Proud Boys")[0].listed_by, vec!["ca"]);
    let between = divergence::between(&groups, "ca", "un");
    assert_eq!((between.both, between.only_a.len()), (28, 62), "Canada's 90 listings against the UN's");
    assert!(between.only_a.iter().any(|group| group.name.contains("KURDISTAN")));
    // Every automatic group holds at most one record per authority.
    for group in &groups {
        let mut authorities: Vec<&str> = group.records.iter().map(|record| record.authority.as_str()).collect();
        authorities.dedup();
        assert_eq!(authorities.len(), group.records.len(), "{}", group.name);
    }
    assert!(rows.iter().all(|row| row.status == Status::Listed));
}
