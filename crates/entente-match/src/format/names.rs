//! The name table: a field name → what the field holds ([`FieldType`]), for JSON keys,
//! Zeek `string` columns and CSV headers alike. Unknown names are [`FieldType::Text`]
//! (every kind matches there, as in plain text), so a missing entry only costs
//! precision, never a match.
//!
//! Names are compared ASCII case-insensitively, with `' '` and `'-'` read as `'_'`, so
//! that CSV headers such as `Source IP` or `src-ip` find `source_ip`/`src_ip`.
//!
//! Choices, from what a Zeek or Suricata analyst expects:
//! - Addresses: Zeek's connection tuple (`id.orig_h`, `id.resp_h`), `files`
//!   (`tx_hosts`, `rx_hosts`), `dhcp`, `notice` (`src`, `dst`), `smtp`
//!   (`x_originating_ip`), `x509` (`san.ip`); Suricata's `src_ip`/`dest_ip` and DHCP
//!   addresses; the usual CSV spellings (AWS flow logs' `srcaddr`/`dstaddr` too).
//! - Domains: DNS `query` (Suricata `rrname`), TLS `server_name`/`sni`, HTTP `host`
//!   and `hostname`, certificates' `san.dns`, DHCP names. An IP literal in an HTTP
//!   `Host` header is therefore not an address hit there; the same record still
//!   matches through `id.resp_h`/`dest_ip`.
//! - Hashes: file hashes, certificate fingerprints (Zeek `cert_chain_fps`, Suricata's
//!   colon-separated `fingerprint`), JA3/JA3S (MD5s; Suricata's `ja3.hash` is `hash`).
//! - Nothing: times, durations, ports, counters, identifiers (`uid`, `fuid`,
//!   `community_id`), protocol enums and codes, MAC addresses, and certificate
//!   serials (a 16- or 20-byte serial would otherwise look like an MD5 or SHA-1).
//! - Deliberately Text: DNS `answers` and Suricata `rdata` (names and addresses
//!   mixed), HTTP `uri`, `referrer`, `user_agent`, certificate `subject`/`issuer`,
//!   SMTP `from`/`to`/`msg_id`, and generic headers whose content varies between
//!   sources (`name`, `id`, `source`, `status`, `action`, `start`, `end`).
//! - Suricata's `http.url` is the request target (usually a path) and CSV `url`
//!   columns hold full URLs; both are [`FieldType::Url`], which admits the domains
//!   and addresses a URL carries as well as URLs.

use super::FieldType;

const ADDRESS: FieldType = FieldType::Address;
const DOMAIN: FieldType = FieldType::Domain;
const EMAIL: FieldType = FieldType::Email;
const HASH: FieldType = FieldType::Hash;
const NOTHING: FieldType = FieldType::Nothing;
const URL: FieldType = FieldType::Url;

/// Sorted by normalised name (a test checks it), for a binary search.
const TABLE: &[(&str, FieldType)] = &[
    ("@timestamp", NOTHING),
    ("_write_ts", NOTHING),
    ("aa", NOTHING),
    ("age", NOTHING),
    ("analyzers", NOTHING),
    ("app_proto", NOTHING),
    ("assigned_addr", ADDRESS),
    ("assigned_ip", ADDRESS),
    ("basic_constraints.ca", NOTHING),
    ("basic_constraints.path_len", NOTHING),
    ("bytes", NOTHING),
    ("bytes_toclient", NOTHING),
    ("bytes_toserver", NOTHING),
    ("cert_chain_fps", HASH),
    ("cert_chain_fuids", NOTHING),
    ("certificate.curve", NOTHING),
    ("certificate.exponent", NOTHING),
    ("certificate.key_alg", NOTHING),
    ("certificate.key_length", NOTHING),
    ("certificate.key_type", NOTHING),
    ("certificate.not_valid_after", NOTHING),
    ("certificate.not_valid_before", NOTHING),
    ("certificate.serial", NOTHING),
    ("certificate.sig_alg", NOTHING),
    ("certificate.version", NOTHING),
    ("cipher", NOTHING),
    ("client_addr", ADDRESS),
    ("client_cert", NOTHING),
    ("client_cert_chain_fps", HASH),
    ("client_cert_chain_fuids", NOTHING),
    ("client_fqdn", DOMAIN),
    ("client_ip", ADDRESS),
    ("client_mac", NOTHING),
    ("clientip", ADDRESS),
    ("community_id", NOTHING),
    ("conn_state", NOTHING),
    ("conn_uids", NOTHING),
    ("curve", NOTHING),
    ("date", NOTHING),
    ("datetime", NOTHING),
    ("depth", NOTHING),
    ("dest_ip", ADDRESS),
    ("dest_port", NOTHING),
    ("destination_ip", ADDRESS),
    ("destination_port", NOTHING),
    ("destinationip", ADDRESS),
    ("domain", DOMAIN),
    ("domain_name", DOMAIN),
    ("dport", NOTHING),
    ("dst", ADDRESS),
    ("dst_addr", ADDRESS),
    ("dst_ip", ADDRESS),
    ("dst_port", NOTHING),
    ("dstaddr", ADDRESS),
    ("dstip", ADDRESS),
    ("dstport", NOTHING),
    ("duration", NOTHING),
    ("email", EMAIL),
    ("email_address", EMAIL),
    ("email_dest", EMAIL),
    ("entropy", NOTHING),
    ("established", NOTHING),
    ("event_type", NOTHING),
    ("extracted_size", NOTHING),
    ("file_hash", HASH),
    ("fingerprint", HASH),
    ("flow_id", NOTHING),
    ("fqdn", DOMAIN),
    ("fuid", NOTHING),
    ("hash", HASH),
    ("history", NOTHING),
    ("host", DOMAIN),
    ("host_cert", NOTHING),
    ("host_name", DOMAIN),
    ("hostname", DOMAIN),
    ("id.orig_h", ADDRESS),
    ("id.orig_p", NOTHING),
    ("id.resp_h", ADDRESS),
    ("id.resp_p", NOTHING),
    ("imphash", HASH),
    ("in_iface", NOTHING),
    ("inner_vlan", NOTHING),
    ("ip", ADDRESS),
    ("ip_address", ADDRESS),
    ("is_orig", NOTHING),
    ("ja3", HASH),
    ("ja3s", HASH),
    ("lease_time", NOTHING),
    ("local_ip", ADDRESS),
    ("local_orig", NOTHING),
    ("local_resp", NOTHING),
    ("mac", NOTHING),
    ("mail_from", EMAIL),
    ("mailfrom", EMAIL),
    ("md5", HASH),
    ("md5_hash", HASH),
    ("method", NOTHING),
    ("mime_type", NOTHING),
    ("missed_bytes", NOTHING),
    ("missing_bytes", NOTHING),
    ("msg_types", NOTHING),
    ("next_server_ip", ADDRESS),
    ("notafter", NOTHING),
    ("notbefore", NOTHING),
    ("orig_bytes", NOTHING),
    ("orig_fuids", NOTHING),
    ("orig_h", ADDRESS),
    ("orig_ip_bytes", NOTHING),
    ("orig_l2_addr", NOTHING),
    ("orig_mime_types", NOTHING),
    ("orig_p", NOTHING),
    ("orig_pkts", NOTHING),
    ("overflow_bytes", NOTHING),
    ("packets", NOTHING),
    ("parent_fuid", NOTHING),
    ("pkts", NOTHING),
    ("pkts_toclient", NOTHING),
    ("pkts_toserver", NOTHING),
    ("port", NOTHING),
    ("proto", NOTHING),
    ("protocol", NOTHING),
    ("qclass", NOTHING),
    ("qclass_name", NOTHING),
    ("qname", DOMAIN),
    ("qtype", NOTHING),
    ("qtype_name", NOTHING),
    ("query", DOMAIN),
    ("rcode", NOTHING),
    ("rcode_name", NOTHING),
    ("rcpt_to", EMAIL),
    ("rcptto", EMAIL),
    ("relay_ip", ADDRESS),
    ("remote_ip", ADDRESS),
    ("request_body_len", NOTHING),
    ("requested_addr", ADDRESS),
    ("resp_bytes", NOTHING),
    ("resp_fuids", NOTHING),
    ("resp_h", ADDRESS),
    ("resp_ip_bytes", NOTHING),
    ("resp_l2_addr", NOTHING),
    ("resp_mime_types", NOTHING),
    ("resp_p", NOTHING),
    ("resp_pkts", NOTHING),
    ("response_body_len", NOTHING),
    ("resumed", NOTHING),
    ("rrname", DOMAIN),
    ("rrtype", NOTHING),
    ("rtt", NOTHING),
    ("rx_hosts", ADDRESS),
    ("san.dns", DOMAIN),
    ("san.email", EMAIL),
    ("san.ip", ADDRESS),
    ("san.uri", URL),
    ("seen_bytes", NOTHING),
    ("serial", NOTHING),
    ("server_addr", ADDRESS),
    ("server_ip", ADDRESS),
    ("server_name", DOMAIN),
    ("serverip", ADDRESS),
    ("sha1", HASH),
    ("sha1_hash", HASH),
    ("sha256", HASH),
    ("sha256_hash", HASH),
    ("sha512", HASH),
    ("signature_id", NOTHING),
    ("sni", DOMAIN),
    ("source_ip", ADDRESS),
    ("source_port", NOTHING),
    ("sourceip", ADDRESS),
    ("sport", NOTHING),
    ("src", ADDRESS),
    ("src_addr", ADDRESS),
    ("src_ip", ADDRESS),
    ("src_port", NOTHING),
    ("srcaddr", ADDRESS),
    ("srcip", ADDRESS),
    ("srcport", NOTHING),
    ("ssl_history", NOTHING),
    ("status_code", NOTHING),
    ("suppress_for", NOTHING),
    ("time", NOTHING),
    ("timestamp", NOTHING),
    ("total_bytes", NOTHING),
    ("trans_depth", NOTHING),
    ("trans_id", NOTHING),
    ("ts", NOTHING),
    ("ttl", NOTHING),
    ("ttls", NOTHING),
    ("tunnel_parents", NOTHING),
    ("tx_hosts", ADDRESS),
    ("tx_id", NOTHING),
    ("uid", NOTHING),
    ("uids", NOTHING),
    ("url", URL),
    ("version", NOTHING),
    ("vlan", NOTHING),
    ("x_originating_ip", ADDRESS),
];

/// Names of the record's time, in order of preference (Zeek, Suricata, Elastic,
/// Splunk exports, CSV).
pub(crate) const TIME_NAMES: &[&str] = &["ts", "timestamp", "@timestamp", "_time", "time", "datetime"];

/// What a field of this name holds; [`FieldType::Text`] for a name not in the table.
pub(crate) fn field_type(name: &str) -> FieldType {
    TABLE
        .binary_search_by(|(entry, _)| normalised(entry).cmp(normalised(name)))
        .map_or(FieldType::Text, |at| TABLE[at].1)
}

/// Whether `name` is one of [`TIME_NAMES`] (compared as the table compares).
pub(crate) fn time_rank(name: &str) -> Option<usize> {
    TIME_NAMES.iter().position(|time| normalised(time).eq(normalised(name)))
}

fn normalised(name: &str) -> impl Iterator<Item = u8> + '_ {
    name.bytes().map(|b| match b {
        b' ' | b'-' => b'_',
        other => other.to_ascii_lowercase(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_is_sorted_without_duplicates() {
        for pair in TABLE.windows(2) {
            assert!(normalised(pair[0].0).lt(normalised(pair[1].0)), "{} before {}", pair[0].0, pair[1].0);
        }
    }

    #[test]
    fn every_entry_is_found() {
        for (name, ty) in TABLE {
            assert_eq!(field_type(name), *ty, "{name}");
        }
    }

    #[test]
    fn lookups_ignore_case_and_separators() {
        assert_eq!(field_type("id.resp_h"), FieldType::Address);
        assert_eq!(field_type("Source IP"), FieldType::Address);
        assert_eq!(field_type("src-ip"), FieldType::Address);
        assert_eq!(field_type("SHA256"), FieldType::Hash);
        assert_eq!(field_type("Query"), FieldType::Domain);
        assert_eq!(field_type("answers"), FieldType::Text);
        assert_eq!(field_type("uri"), FieldType::Text);
        assert_eq!(field_type(""), FieldType::Text);
        assert_eq!(field_type("id.resp_hx"), FieldType::Text);
    }

    #[test]
    fn time_names_rank_in_order() {
        assert_eq!(time_rank("ts"), Some(0));
        assert_eq!(time_rank("Timestamp"), Some(1));
        assert_eq!(time_rank("_write_ts"), None);
    }
}
