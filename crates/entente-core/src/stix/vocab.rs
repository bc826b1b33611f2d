//! STIX 2.1 vocabularies and enumerations (section 10 of the specification), and the
//! Traffic Light Protocol marking definitions.
//!
//! Open vocabularies (`-ov`) suggest values: a value outside one is worth a warning and
//! nothing more. Enumerations (`-enum`) are closed: a value outside one breaks a MUST.
//! [`Vocabulary::closed`] says which is which; the validator picks the severity from it.
//!
//! The TLP tables hold the four TLP 1.0 marking definitions that the STIX 2.1
//! specification predefines (section 7.2.1.4) and the five TLP 2.0 ones that OASIS
//! publishes through `extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d`
//! (cti-stix-common-objects, `extension-definition-specifications/tlp-2.0`).
//! [`tlp_level`] maps either generation's id to one [`TlpLevel`]; the release decision
//! is built on it. This module does not decide anything about release itself.
//!
//! The term lists and TLP rows are data and are laid out by hand (`rustfmt::skip`), in
//! the order the specification lists them.

/// A named list of terms, open or closed.
#[derive(Debug)]
pub struct Vocabulary {
    /// The specification's name, such as `malware-type-ov`.
    pub name: &'static str,
    /// True for an enumeration, whose terms MUST NOT be extended.
    pub closed: bool,
    pub values: &'static [&'static str],
}

impl Vocabulary {
    pub fn contains(&self, value: &str) -> bool {
        self.values.contains(&value)
    }
}

const fn open(name: &'static str, values: &'static [&'static str]) -> Vocabulary {
    Vocabulary { name, closed: false, values }
}

const fn closed(name: &'static str, values: &'static [&'static str]) -> Vocabulary {
    Vocabulary { name, closed: true, values }
}

#[rustfmt::skip]
pub static ACCOUNT_TYPE: Vocabulary = open("account-type-ov", &[
    "facebook", "ldap", "nis", "openid", "radius", "skype", "tacacs", "twitter", "unix", "windows-local",
    "windows-domain",
]);

#[rustfmt::skip]
pub static ATTACK_MOTIVATION: Vocabulary = open("attack-motivation-ov", &[
    "accidental", "coercion", "dominance", "ideology", "notoriety", "organizational-gain", "personal-gain",
    "personal-satisfaction", "revenge", "unpredictable",
]);

#[rustfmt::skip]
pub static ATTACK_RESOURCE_LEVEL: Vocabulary = open("attack-resource-level-ov", &[
    "individual", "club", "contest", "team", "organization", "government",
]);

#[rustfmt::skip]
pub static ENCRYPTION_ALGORITHM: Vocabulary = closed("encryption-algorithm-enum", &[
    "AES-256-GCM", "ChaCha20-Poly1305", "mime-type-indicated",
]);

#[rustfmt::skip]
pub static EXTENSION_TYPE: Vocabulary = closed("extension-type-enum", &[
    "new-sdo", "new-sco", "new-sro", "property-extension", "toplevel-property-extension",
]);

#[rustfmt::skip]
pub static GROUPING_CONTEXT: Vocabulary = open("grouping-context-ov", &[
    "suspicious-activity", "malware-analysis", "unspecified",
]);

#[rustfmt::skip]
pub static HASHING_ALGORITHM: Vocabulary = open("hash-algorithm-ov", &[
    "MD5", "SHA-1", "SHA-256", "SHA-512", "SHA3-256", "SHA3-512", "SSDEEP", "TLSH",
]);

#[rustfmt::skip]
pub static IDENTITY_CLASS: Vocabulary = open("identity-class-ov", &[
    "individual", "group", "system", "organization", "class", "unknown",
]);

#[rustfmt::skip]
pub static IMPLEMENTATION_LANGUAGE: Vocabulary = open("implementation-language-ov", &[
    "applescript", "bash", "c", "c++", "c#", "go", "java", "javascript", "lua", "objective-c", "perl", "php",
    "powershell", "python", "ruby", "scala", "swift", "typescript", "visual-basic", "x86-32", "x86-64",
]);

#[rustfmt::skip]
pub static INDICATOR_TYPE: Vocabulary = open("indicator-type-ov", &[
    "anomalous-activity", "anonymization", "benign", "compromised", "malicious-activity", "attribution",
    "unknown",
]);

#[rustfmt::skip]
pub static INDUSTRY_SECTOR: Vocabulary = open("industry-sector-ov", &[
    "agriculture", "aerospace", "automotive", "chemical", "commercial", "communications", "construction",
    "defense", "education", "energy", "entertainment", "financial-services", "government", "emergency-services",
    "government-national", "government-regional", "government-local", "government-public-services",
    "healthcare", "hospitality-leisure", "infrastructure", "dams", "nuclear", "water", "insurance",
    "manufacturing", "mining", "non-profit", "pharmaceuticals", "retail", "technology", "telecommunications",
    "transportation", "utilities",
]);

#[rustfmt::skip]
pub static INFRASTRUCTURE_TYPE: Vocabulary = open("infrastructure-type-ov", &[
    "amplification", "anonymization", "botnet", "command-and-control", "control-system", "exfiltration",
    "firewall", "hosting-malware", "hosting-target-lists", "phishing", "reconnaissance", "routers-switches",
    "staging", "workstation", "unknown",
]);

#[rustfmt::skip]
pub static MALWARE_CAPABILITIES: Vocabulary = open("malware-capabilities-ov", &[
    "accesses-remote-machines", "anti-debugging", "anti-disassembly", "anti-emulation", "anti-memory-forensics",
    "anti-sandbox", "anti-vm", "captures-input-peripherals", "captures-output-peripherals",
    "captures-system-state-data", "cleans-traces-of-infection", "commits-fraud", "communicates-with-c2",
    "compromises-data-availability", "compromises-data-integrity", "compromises-system-availability",
    "controls-local-machine", "degrades-security-software", "degrades-system-updates", "determines-c2-server",
    "emails-spam", "escalates-privileges", "evades-av", "exfiltrates-data", "fingerprints-host",
    "hides-artifacts", "hides-executing-code", "infects-files", "infects-remote-machines",
    "installs-other-components", "persists-after-system-reboot", "prevents-artifact-access",
    "prevents-artifact-deletion", "probes-network-environment", "self-modifies",
    "steals-authentication-credentials", "violates-system-operational-integrity",
]);

#[rustfmt::skip]
pub static MALWARE_RESULT: Vocabulary = open("malware-result-ov", &[
    "malicious", "suspicious", "benign", "unknown",
]);

#[rustfmt::skip]
pub static MALWARE_TYPE: Vocabulary = open("malware-type-ov", &[
    "adware", "backdoor", "bot", "bootkit", "ddos", "downloader", "dropper", "exploit-kit", "keylogger",
    "ransomware", "remote-access-trojan", "resource-exploitation", "rogue-security-software", "rootkit",
    "screen-capture", "spyware", "trojan", "unknown", "virus", "webshell", "wiper", "worm",
]);

#[rustfmt::skip]
pub static NETWORK_SOCKET_ADDRESS_FAMILY: Vocabulary = closed("network-socket-address-family-enum", &[
    "AF_UNSPEC", "AF_INET", "AF_IPX", "AF_APPLETALK", "AF_NETBIOS", "AF_INET6", "AF_IRDA", "AF_BTH",
]);

#[rustfmt::skip]
pub static NETWORK_SOCKET_TYPE: Vocabulary = closed("network-socket-type-enum", &[
    "SOCK_STREAM", "SOCK_DGRAM", "SOCK_RAW", "SOCK_RDM", "SOCK_SEQPACKET",
]);

#[rustfmt::skip]
pub static OPINION: Vocabulary = closed("opinion-enum", &[
    "strongly-disagree", "disagree", "neutral", "agree", "strongly-agree",
]);

#[rustfmt::skip]
pub static PATTERN_TYPE: Vocabulary = open("pattern-type-ov", &[
    "stix", "pcre", "sigma", "snort", "suricata", "yara",
]);

#[rustfmt::skip]
pub static PROCESSOR_ARCHITECTURE: Vocabulary = open("processor-architecture-ov", &[
    "alpha", "arm", "ia-64", "mips", "powerpc", "sparc", "x86", "x86-64",
]);

#[rustfmt::skip]
pub static REGION: Vocabulary = open("region-ov", &[
    "africa", "eastern-africa", "middle-africa", "northern-africa", "southern-africa", "western-africa",
    "americas", "latin-america-caribbean", "south-america", "caribbean", "central-america", "northern-america",
    "asia", "central-asia", "eastern-asia", "southern-asia", "south-eastern-asia", "western-asia", "europe",
    "eastern-europe", "northern-europe", "southern-europe", "western-europe", "oceania", "antarctica",
    "australia-new-zealand", "melanesia", "micronesia", "polynesia",
]);

#[rustfmt::skip]
pub static REPORT_TYPE: Vocabulary = open("report-type-ov", &[
    "attack-pattern", "campaign", "identity", "indicator", "intrusion-set", "malware", "observed-data",
    "threat-actor", "threat-report", "tool", "vulnerability",
]);

#[rustfmt::skip]
pub static THREAT_ACTOR_ROLE: Vocabulary = open("threat-actor-role-ov", &[
    "agent", "director", "independent", "infrastructure-architect", "infrastructure-operator", "malware-author",
    "sponsor",
]);

#[rustfmt::skip]
pub static THREAT_ACTOR_SOPHISTICATION: Vocabulary = open("threat-actor-sophistication-ov", &[
    "none", "minimal", "intermediate", "advanced", "expert", "innovator", "strategic",
]);

#[rustfmt::skip]
pub static THREAT_ACTOR_TYPE: Vocabulary = open("threat-actor-type-ov", &[
    "activist", "competitor", "crime-syndicate", "criminal", "hacker", "insider-accidental",
    "insider-disgruntled", "nation-state", "sensationalist", "spy", "terrorist", "unknown",
]);

#[rustfmt::skip]
pub static TOOL_TYPE: Vocabulary = open("tool-type-ov", &[
    "denial-of-service", "exploitation", "information-gathering", "network-capture", "credential-exploitation",
    "remote-access", "vulnerability-scanning", "unknown",
]);

#[rustfmt::skip]
pub static WINDOWS_INTEGRITY_LEVEL: Vocabulary = closed("windows-integrity-level-enum", &[
    "low", "medium", "high", "system",
]);

#[rustfmt::skip]
pub static WINDOWS_PEBINARY_TYPE: Vocabulary = open("windows-pebinary-type-ov", &[
    "dll", "exe", "sys",
]);

#[rustfmt::skip]
pub static WINDOWS_REGISTRY_DATATYPE: Vocabulary = closed("windows-registry-datatype-enum", &[
    "REG_NONE", "REG_SZ", "REG_EXPAND_SZ", "REG_BINARY", "REG_DWORD", "REG_DWORD_BIG_ENDIAN",
    "REG_DWORD_LITTLE_ENDIAN", "REG_LINK", "REG_MULTI_SZ", "REG_RESOURCE_LIST", "REG_FULL_RESOURCE_DESCRIPTION",
    "REG_RESOURCE_REQUIREMENTS_LIST", "REG_QWORD", "REG_INVALID_TYPE",
]);

#[rustfmt::skip]
pub static WINDOWS_SERVICE_START_TYPE: Vocabulary = closed("windows-service-start-type-enum", &[
    "SERVICE_AUTO_START", "SERVICE_BOOT_START", "SERVICE_DEMAND_START", "SERVICE_DISABLED",
    "SERVICE_SYSTEM_ALERT",
]);

#[rustfmt::skip]
pub static WINDOWS_SERVICE_TYPE: Vocabulary = closed("windows-service-type-enum", &[
    "SERVICE_KERNEL_DRIVER", "SERVICE_FILE_SYSTEM_DRIVER", "SERVICE_WIN32_OWN_PROCESS",
    "SERVICE_WIN32_SHARE_PROCESS",
]);

#[rustfmt::skip]
pub static WINDOWS_SERVICE_STATUS: Vocabulary = closed("windows-service-status-enum", &[
    "SERVICE_CONTINUE_PENDING", "SERVICE_PAUSE_PENDING", "SERVICE_PAUSED", "SERVICE_RUNNING",
    "SERVICE_START_PENDING", "SERVICE_STOP_PENDING", "SERVICE_STOPPED",
]);

/// The marking definition types the specification defines (section 7.2.1).
#[rustfmt::skip]
pub static MARKING_DEFINITION_TYPE: Vocabulary = open("marking-definition-type", &[
    "statement", "tlp",
]);

/// A Traffic Light Protocol level, ordered from least to most restrictive, so that
/// `a <= b` reads "a is no stricter than b". TLP 1.0 `white` is [`TlpLevel::Clear`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum TlpLevel {
    Clear,
    Green,
    Amber,
    AmberStrict,
    Red,
}

/// One predefined TLP marking-definition object, as published.
#[derive(Clone, Copy, Debug)]
pub struct TlpMarking {
    pub id: &'static str,
    pub name: &'static str,
    /// The value of `definition.tlp` (TLP 1.0) or of the extension's `tlp_2_0` (TLP 2.0).
    pub value: &'static str,
    pub created: &'static str,
    pub level: TlpLevel,
}

/// The extension definition every TLP 2.0 marking definition declares itself through.
pub const TLP_2_0_EXTENSION_ID: &str = "extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d";

const TLP_1_0_CREATED: &str = "2017-01-20T00:00:00.000Z";
const TLP_2_0_CREATED: &str = "2022-10-01T00:00:00.000Z";

const fn tlp(
    id: &'static str,
    name: &'static str,
    value: &'static str,
    created: &'static str,
    level: TlpLevel,
) -> TlpMarking {
    TlpMarking { id, name, value, created, level }
}

/// The TLP 1.0 marking definitions of STIX 2.1 section 7.2.1.4; no other TLP 1.0
/// marking definition may exist.
#[rustfmt::skip]
pub const TLP_1_0: [TlpMarking; 4] = [
    tlp("marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9", "TLP:WHITE", "white", TLP_1_0_CREATED, TlpLevel::Clear),
    tlp("marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da", "TLP:GREEN", "green", TLP_1_0_CREATED, TlpLevel::Green),
    tlp("marking-definition--f88d31f6-486f-44da-b317-01333bde0b82", "TLP:AMBER", "amber", TLP_1_0_CREATED, TlpLevel::Amber),
    tlp("marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed", "TLP:RED", "red", TLP_1_0_CREATED, TlpLevel::Red),
];

/// The TLP 2.0 marking definitions published by OASIS with [`TLP_2_0_EXTENSION_ID`].
#[rustfmt::skip]
pub const TLP_2_0: [TlpMarking; 5] = [
    tlp("marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487", "TLP:CLEAR", "clear", TLP_2_0_CREATED, TlpLevel::Clear),
    tlp("marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb", "TLP:GREEN", "green", TLP_2_0_CREATED, TlpLevel::Green),
    tlp("marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421", "TLP:AMBER", "amber", TLP_2_0_CREATED, TlpLevel::Amber),
    tlp("marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003", "TLP:AMBER+STRICT", "amber+strict", TLP_2_0_CREATED,
        TlpLevel::AmberStrict),
    tlp("marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1", "TLP:RED", "red", TLP_2_0_CREATED, TlpLevel::Red),
];

/// The TLP level a marking-definition id stands for, TLP 1.0 or 2.0; `None` for any
/// other marking.
pub fn tlp_level(marking_id: &str) -> Option<TlpLevel> {
    tlp_marking(marking_id).map(|marking| marking.level)
}

/// The predefined TLP marking with this id, TLP 1.0 or 2.0.
pub fn tlp_marking(marking_id: &str) -> Option<&'static TlpMarking> {
    const ALL: [&[TlpMarking]; 2] = [&TLP_1_0, &TLP_2_0];
    ALL.iter().flat_map(|table| table.iter()).find(|marking| marking.id == marking_id)
}
