//! Command-line flags. The help texts are the user manual: keep them teaching.

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::net::SocketAddr;
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(
    name = "entente",
    version,
    about = "Run a sovereign Entente node: store STIX 2.1 intelligence and serve it over TAXII 2.1.",
    long_about = "Run a sovereign Entente node: store STIX 2.1 intelligence and serve it over TAXII 2.1.\n\n\
        A node lives in one data directory (--dir, or ENTENTE_DIR, default ./entente-data) holding an \
        embedded SQLite database and the node's signing key.\n\n\
        Quick start:\n  \
        entente init --name \"CERT-Example\" --country FR --kind agency\n  \
        entente intel import bundle.json\n  \
        entente serve\n\n\
        Then point any TAXII 2.1 client at http://127.0.0.1:8470/taxii2/ with the admin token."
)]
pub struct Cli {
    #[command(flatten)]
    pub global: Global,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Args)]
pub struct Global {
    /// The node's data directory.
    #[arg(long, global = true, env = "ENTENTE_DIR", default_value = "./entente-data")]
    pub dir: PathBuf,
    /// Log format on standard error.
    #[arg(long, global = true, value_enum, default_value_t = LogFormat::Text, env = "ENTENTE_LOG_FORMAT")]
    pub log_format: LogFormat,
    /// Extra CA certificates (PEM, one or more) to trust when calling partners, besides
    /// the system's roots: for partners whose certificates come from a private CA or
    /// are self-signed. Used by `serve` (note delivery) and `relations contact`.
    #[arg(long, global = true, value_name = "FILE", env = "ENTENTE_TLS_CA")]
    pub tls_ca: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum LogFormat {
    Text,
    Json,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create a new node in the data directory (refuses if one exists there).
    Init(InitArgs),
    /// Serve the node over HTTP or HTTPS (--tls-cert, --tls-key): TAXII 2.1 under
    /// /taxii2/, /healthz and /metrics.
    Serve(ServeArgs),
    /// Create, list and revoke API tokens.
    #[command(subcommand)]
    Token(TokenCommand),
    /// User accounts for the web interface: add, list, disable, set a password.
    #[command(subcommand, long_about = USER_ABOUT)]
    User(UserCommand),
    /// Create and list TAXII API roots.
    #[command(subcommand, name = "api-root")]
    ApiRoot(ApiRootCommand),
    /// Create and list collections.
    #[command(subcommand)]
    Collection(CollectionCommand),
    /// Manage this node's signing key.
    #[command(subcommand)]
    Keys(KeysCommand),
    /// Import and export STIX 2.1 intelligence (and MISP events); pull MISP feeds.
    #[command(subcommand)]
    Intel(IntelCommand),
    /// Diplomatic relations with other nodes: contact, recognize, negotiate and sign
    /// treaties, suspend, resume, terminate.
    #[command(subcommand, long_about = RELATIONS_ABOUT)]
    Relations(RelationsCommand),
    /// Read, check and write treaties: show, verify, template, next.
    #[command(subcommand)]
    Treaty(TreatyCommand),
    /// Alliances: found one on a charter, sign it, propose admissions and expulsions,
    /// vote, accede, withdraw; list and show what this node holds.
    #[command(subcommand, long_about = ALLIANCE_ABOUT)]
    Alliance(AllianceCommand),
    /// Intelligence sync with partners under treaties: pull now, see where each stands.
    #[command(subcommand, long_about = SYNC_ABOUT)]
    Sync(SyncCommand),
    /// The audit ledger: verify its hash chain; show what was given to whom and what
    /// was received from whom, under which treaty.
    #[command(subcommand)]
    Audit(AuditCommand),
    /// Start a small federation of five fictional parties on this machine, with real
    /// nodes, treaties and intelligence, and show what each one may and may not see.
    #[command(long_about = DEMO_ABOUT)]
    Demo(DemoArgs),
    /// Reference knowledge: load the ATT&CK catalogue, MISP taxonomies (TLP, PAP, IEP…)
    /// and MISP warning lists of known false positives; explain a tag.
    #[command(subcommand, long_about = REFERENCE_ABOUT)]
    Reference(ReferenceCommand),
    /// Indicator scores: the decay model that lowers them with time.
    #[command(subcommand, long_about = SCORE_ABOUT)]
    Score(ScoreCommand),
    /// Designations of terrorist and sanctioned entities: import the UN, US and Canadian
    /// lists, link records that name the same entity, see who designates whom.
    #[command(subcommand, long_about = DESIGNATIONS_ABOUT)]
    Designations(DesignationsCommand),
    /// Search the intelligence this node holds: words, "phrases" and prefix* over
    /// names, descriptions, aliases, labels and pattern values, with filters.
    #[command(long_about = SEARCH_ABOUT)]
    Search(SearchArgs),
    /// Scan logs (Zeek, Suricata, JSON lines, CSV, text; gzip or zstd) for the node's
    /// indicators, or those of STIX bundles or plain value lists; one line per match.
    #[command(long_about = MATCH_ABOUT)]
    Match(MatchArgs),
}

const SEARCH_ABOUT: &str = "Search the intelligence this node holds (every collection: this is the \
    operator's view; API callers see only what their token or treaty allows).\n\n\
    Every word must match, in a name, description, alias or external id (T1566, CVE-…), label or \
    pattern value (an IP, a domain, a hash). \"Quoted words\" must match as a phrase; word* matches a \
    prefix. Results are ranked, names and aliases first; without words, newest first.\n\n\
    Examples:\n  \
    entente search emotet\n  \
    entente search 198.51.100.7 --type indicator\n  \
    entente search \"spear phishing\" --marking TLP:GREEN --since 2026-01-01T00:00:00Z\n  \
    entente search --source identity--… --json      (what a partner sent, for scripts)";

#[derive(Debug, Args)]
pub struct SearchArgs {
    /// Words to search for (none: filters only, newest first).
    pub words: Vec<String>,
    /// Only these STIX types (repeat or comma-separate: indicator,malware).
    #[arg(long = "type")]
    pub types: Vec<String>,
    /// Only objects from this source: `local`, or the node id of a partner or originator.
    #[arg(long)]
    pub source: Vec<String>,
    /// Only objects with this marking: a marking-definition id or TLP:CLEAR/GREEN/AMBER/RED.
    #[arg(long)]
    pub marking: Vec<String>,
    /// Only versions modified at or after this time (RFC 3339).
    #[arg(long)]
    pub since: Option<String>,
    /// Only versions modified at or before this time (RFC 3339).
    #[arg(long)]
    pub until: Option<String>,
    /// At most this many results (1-100).
    #[arg(long, default_value_t = 20)]
    pub limit: u32,
    /// Print the results as JSON (with the objects).
    #[arg(long)]
    pub json: bool,
}

const MATCH_ABOUT: &str = "Scan logs for indicators, like grep for threat intelligence.\n\n\
    Indicators come from --bundle (STIX 2.1 bundles, .gz allowed: every indicator with a STIX pattern), \
    --values (a plain list, one IP, CIDR, domain, URL, e-mail address or hash a line, # comments), or, \
    without either, from this node (--dir): every indicator it holds, except expired or decayed ones \
    (--include-decayed keeps them) and those on a loaded warning list (--include-warninglisted). \
    A pattern the matcher cannot use (MATCHES, FOLLOWEDBY, file names…) is counted and named in the \
    summary, never skipped silently. docs/match.md says exactly what matches what.\n\n\
    Logs are files or - for standard input, plain, gzip or zstd (recognised by content); the format \
    (jsonl, zeek, csv, text) is recognised too, and decides which field a match is in and where each \
    kind may match (addresses in address fields, domains in query fields…).\n\n\
    Output: one JSON line per match (--out jsonl) with the indicator, its value, the text matched, \
    file, line, byte offset and field; --out stix prints one STIX bundle of sightings; --out none only \
    the summary. --record stores the sightings on this node: partners receive them through sync \
    exactly when a treaty allows, like any object of this node. The summary goes to standard error \
    (--json for a JSON object). Exit status as grep: 0 matched, 1 nothing matched, 2 error.\n\n\
    Examples:\n  \
    entente match /var/log/zeek/dns.log.gz /var/log/zeek/ssl.log.gz\n  \
    entente match --bundle feed.json.gz --out none --json eve.json.zst\n  \
    zcat conn.log.gz | entente match --values bad-ips.txt -\n  \
    entente match --out stix --record dns.json.gz > sightings.json";

#[derive(Debug, Args)]
pub struct MatchArgs {
    /// Logs to scan (- for standard input).
    #[arg(required = true, value_name = "LOG")]
    pub logs: Vec<PathBuf>,
    /// Indicators from this STIX 2.1 bundle (repeatable; .gz allowed) instead of the node's.
    #[arg(long, value_name = "FILE")]
    pub bundle: Vec<PathBuf>,
    /// Indicators from this list of values, one a line, # comments (repeatable).
    #[arg(long, value_name = "FILE")]
    pub values: Vec<PathBuf>,
    /// The logs' format (auto: recognised per input from its first bytes and name).
    #[arg(long, value_enum, default_value_t = LogInputFormat::Auto)]
    pub format: LogInputFormat,
    /// What to print on standard output.
    #[arg(long, value_enum, default_value_t = MatchOutput::Jsonl)]
    pub out: MatchOutput,
    /// Worker threads searching (default: the available cores).
    #[arg(long)]
    pub threads: Option<usize>,
    /// Read plain log files instead of mapping them into memory: slower, but safe for a
    /// live log that may be truncated while it is scanned (logrotate copytruncate),
    /// which ends a mapped scan with SIGBUS.
    #[arg(long)]
    pub no_mmap: bool,
    /// Print the summary as one JSON object (on standard error).
    #[arg(long)]
    pub json: bool,
    /// Keep indicators whose values are on a loaded warning list (known false positives).
    #[arg(long)]
    pub include_warninglisted: bool,
    /// Keep indicators that are expired or whose score decayed under the model's threshold.
    #[arg(long)]
    pub include_decayed: bool,
    /// Store a sighting of each indicator matched on this node (sync reports them to
    /// partners where a treaty allows).
    #[arg(long)]
    pub record: bool,
}

/// The log formats `match` reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogInputFormat {
    Auto,
    Text,
    Jsonl,
    Zeek,
    Csv,
}

/// What `match` prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum MatchOutput {
    Jsonl,
    Stix,
    None,
}

const DEMO_ABOUT: &str = "Start a small federation on this machine and watch treaties decide what flows.\n\n\
    Five fictional parties each get a real node: its own data directory, SQLite store, signing key and \
    HTTP server on 127.0.0.1, all in this process. They make contact, confirm fingerprints and recognize \
    each other, then negotiate and sign treaties with the real signed notes:\n  \
    - three states of the Northern Marches (Northland, Southland, Eastland): pairwise treaties, cyber and \
    counter-terrorism, up to TLP:AMBER, re-sharing to treaty partners;\n  \
    - a distant state (Farland), with Northland only: counter-terrorism, attribution must-not, \
    encrypted end to end;\n  \
    - a non-governmental CERT (CivicCERT), with Southland only: cyber indicators up to TLP:GREEN, \
    attribution must-not, no re-sharing, encrypted end to end.\n\n\
    Each party then loads its share of the intelligence built into the binary (MITRE ATT&CK techniques \
    and a fictional scenario marked TLP:CLEAR to TLP:RED), and sync runs by itself. When it settles, the \
    demo prints each node's URL, admin token and fingerprint, the treaties in force, what each party \
    originated, received and released, which releases were denied and why, and commands to try against \
    the running nodes. It keeps running until Ctrl-C, then removes the temporary directory.\n\n\
    Examples:\n  \
    entente demo                           (a temporary directory, random ports)\n  \
    entente demo --base-port 9100          (nodes on 9100-9104)\n  \
    entente demo --keep-dir ./demo --once  (keep the nodes in ./demo, print, exit)\n  \
    entente demo --once --json             (for scripts and tests)";

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Put the five nodes' data directories in DIR and keep them after exit (inspect
    /// them with `entente --dir DIR/<party> …`). Without it, a temporary directory is
    /// used and removed on exit. DIR must be empty or not exist yet.
    #[arg(long, value_name = "DIR")]
    pub keep_dir: Option<PathBuf>,
    /// Listen on BASE, BASE+1, … BASE+4 instead of ports the system picks.
    #[arg(long, value_name = "PORT")]
    pub base_port: Option<u16>,
    /// Exit once the summary is printed instead of serving until Ctrl-C.
    #[arg(long)]
    pub once: bool,
    /// Print the summary as JSON (progress stays on standard error).
    #[arg(long)]
    pub json: bool,
    /// Give up if sync has not settled after this many seconds.
    #[arg(long, default_value_t = 60)]
    pub settle_timeout: u64,
}

const SYNC_ABOUT: &str = "Intelligence sync with partners under treaties.\n\n\
    A running node (`entente serve`) syncs by itself: when its store grows it pokes every partner \
    with a treaty or a shared alliance in force, and each partner pulls its feed, page by page; every object version \
    goes through the release decision (markings, treaty scope, TLP ceiling, re-sharing rules), \
    travels with its originator's seal, and is recorded in the audit ledger on both sides. \
    When a treaty ends (a termination takes effect after its notice, or the end date passes), \
    the node carries out what the treaty says about what it received under it (`on_termination`: \
    purge or keep) and records it in the ledger. These commands show where each partner stands, \
    pull at once without waiting, and carry treaty endings out at once.";

#[derive(Debug, Subcommand)]
pub enum SyncCommand {
    /// Pull every partner's feed now (or one partner's), until it has nothing more, with
    /// a progress line per partner. Runs beside a running server safely.
    Now {
        /// Only this partner (node id or exact name).
        #[arg(long)]
        partner: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Where each partner's feed stands: relation state, pages and objects received,
    /// releases made to it and receipts it signed, and how its treaty's end was carried out.
    Status {
        #[arg(long)]
        json: bool,
    },
    /// Carry out now every treaty ending not yet carried out (a running server does it
    /// within a second): with `on_termination: purge`, delete what was received from
    /// the partner under it, unless also held under another treaty or originated here;
    /// with `keep` (or nothing said), keep it. Recorded in the ledger; done once.
    /// Suspension ends nothing, and a notice of termination ends nothing until it runs out.
    Settle {
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Check the whole ledger: every entry's hash, every link to the entry before, the
    /// order of sequences and times. Exits with status 1 and names the first broken
    /// entry if anything was changed, removed or reordered. Compare the printed head
    /// with the one you saw before to detect entries cut from the end.
    Verify {
        /// Fail unless the ledger's head hash is this one (a head you recorded
        /// earlier, with no entry appended since).
        #[arg(long)]
        expect_head: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// List ledger entries: what was released to whom and under which treaty, what was
    /// received from whom, receipts, notes. Filters combine.
    Show {
        /// Only entries with this partner (node id or exact name).
        #[arg(long)]
        partner: Option<String>,
        /// Only entries about this object id (or note id).
        #[arg(long)]
        object: Option<String>,
        /// Only these kinds: release, receive, receipt, note-sent, note-received, revoked,
        /// recalled, removed, treaty-ended, purged.
        #[arg(long, value_delimiter = ',')]
        kind: Vec<String>,
        /// Entries after this sequence number.
        #[arg(long)]
        after: Option<i64>,
        /// At most this many entries.
        #[arg(long, default_value_t = 100)]
        limit: u32,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Args)]
pub struct InitArgs {
    /// The node's name, as partners will see it (e.g. "CERT-FR").
    #[arg(long)]
    pub name: String,
    /// ISO 3166-1 alpha-2 country code, where the party has one (e.g. FR).
    #[arg(long)]
    pub country: Option<String>,
    /// What kind of party runs the node.
    #[arg(long, default_value = "agency", value_parser = ["state", "agency", "alliance", "ngo", "company"])]
    pub kind: String,
    /// Print the result (including the admin token) as JSON.
    #[arg(long)]
    pub json: bool,
    /// The base URL partners will reach this node at, written on its node card
    /// (`entente serve --public-url` changes it later; without either, the card names
    /// the address `serve` listens on).
    #[arg(long, env = "ENTENTE_PUBLIC_URL")]
    pub public_url: Option<String>,
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address and port to listen on.
    #[arg(long, default_value = "127.0.0.1:8470", env = "ENTENTE_LISTEN")]
    pub listen: SocketAddr,
    /// Largest request body accepted, in bytes.
    #[arg(long, default_value_t = 32 * 1024 * 1024)]
    pub max_body_bytes: usize,
    /// Largest TAXII page, whatever a client's `limit` asks.
    #[arg(long, default_value_t = 1000)]
    pub max_page_size: u32,
    /// The base URL partners reach this node at, as written on its node card; it is
    /// saved and used by every later command (default: the one saved by `init`).
    #[arg(long, env = "ENTENTE_PUBLIC_URL")]
    pub public_url: Option<String>,
    /// How far a partner's clock may differ from ours, in seconds, before its notes
    /// are refused as stale.
    #[arg(long, default_value_t = 300)]
    pub clock_skew: i64,
    /// Serve HTTPS with this certificate chain (PEM: the node's certificate first, then
    /// any intermediates); needs --tls-key. Without both, the node serves plain HTTP.
    /// With TLS on, the public URL (--public-url) should start with https://: it is
    /// what the node card tells partners to call.
    #[arg(long, value_name = "FILE", env = "ENTENTE_TLS_CERT", requires = "tls_key")]
    pub tls_cert: Option<PathBuf>,
    /// The private key of --tls-cert (PEM, unencrypted: PKCS#8, PKCS#1 or SEC1).
    #[arg(long, value_name = "FILE", env = "ENTENTE_TLS_KEY", requires = "tls_cert")]
    pub tls_key: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Create a token and print it once; only its hash is stored.
    Create {
        /// What the holder may do: reader (read), analyst (read and write intelligence),
        /// envoy (a partner's envoy), admin (everything).
        #[arg(long, value_parser = ["reader", "analyst", "envoy", "admin"])]
        role: String,
        /// A label to recognise the token by (e.g. "siem-prod").
        #[arg(long, default_value = "")]
        name: String,
        #[arg(long)]
        json: bool,
    },
    /// List tokens (never their secrets).
    List {
        #[arg(long)]
        json: bool,
    },
    /// Revoke a token at once, by the id `token list` shows.
    Revoke {
        id: String,
        #[arg(long)]
        json: bool,
    },
}

const USER_ABOUT: &str = "User accounts for the web interface (served at /ui by `entente serve`).\n\n\
    People sign in with a name and a password; programs use API tokens (`entente token`). A password \
    is read from ENTENTE_PASSWORD, else from the first line of standard input (typed without echo on a \
    terminal); it needs at least 12 characters and only its Argon2id hash is stored. Disabling an \
    account or setting its password ends its sessions at once. Roles are those of tokens: reader, \
    analyst, admin (envoys are partners' credentials, tokens only).\n\n\
    Examples:\n  \
    entente user add maria.k --role admin\n  \
    printf '%s\\n' \"$PASSWORD\" | entente user add soc-analyst --role analyst\n  \
    entente user list --json\n  \
    entente user disable maria.k";

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Add an account (the password from ENTENTE_PASSWORD or standard input).
    Add {
        /// The name to sign in with: a-z, 0-9, '.', '-', '_'.
        name: String,
        /// What the person may do: reader, analyst (read and write intelligence), admin.
        #[arg(long, value_parser = ["reader", "analyst", "admin"])]
        role: String,
        #[arg(long)]
        json: bool,
    },
    /// List accounts (never their password hashes).
    List {
        #[arg(long)]
        json: bool,
    },
    /// Disable an account and end its sessions.
    Disable {
        name: String,
        #[arg(long)]
        json: bool,
    },
    /// Set a new password (from ENTENTE_PASSWORD or standard input); ends its sessions.
    Password {
        name: String,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum ApiRootCommand {
    /// Create an API root served at /NAME/.
    Create {
        /// URL path segment: a-z, 0-9, '-' and '_'.
        name: String,
        #[arg(long)]
        title: String,
        #[arg(long)]
        description: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// List API roots.
    List {
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum CollectionCommand {
    /// Create a collection in an API root.
    Create {
        #[arg(long)]
        api_root: String,
        #[arg(long)]
        title: String,
        /// The collection's UUID (a random one when omitted).
        #[arg(long)]
        id: Option<String>,
        #[arg(long)]
        description: Option<String>,
        #[arg(long)]
        alias: Option<String>,
        /// Roles that may read, comma-separated.
        #[arg(long, default_value = "reader,analyst,envoy,admin")]
        read_roles: String,
        /// Roles that may write, comma-separated.
        #[arg(long, default_value = "analyst,admin")]
        write_roles: String,
        #[arg(long)]
        json: bool,
    },
    /// List collections.
    List {
        /// Only this API root's collections.
        #[arg(long)]
        api_root: Option<String>,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum IntelCommand {
    /// Import STIX 2.1 bundles, TAXII envelopes or JSON lines of objects (plain or
    /// gzip), streaming, or MISP JSON events. Exits with status 2 when some objects
    /// were rejected.
    Import {
        /// Files to read; `-` reads standard input.
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// What the files hold: `auto` tells MISP JSON (`{"Event": …}`, a bare event or
        /// a `response` list) from STIX by its first bytes; `misp` converts MISP events
        /// to STIX (report, indicators, observed data, galaxies as threat actors,
        /// malware…; `tlp:` tags as TLP markings) before they are validated and stored.
        #[arg(long, value_enum, default_value = "auto")]
        format: ImportFormat,
        /// Target collection (default: the node's intelligence collection).
        #[arg(long)]
        collection: Option<String>,
        /// Print the summary as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Write a STIX 2.1 bundle of a collection to standard output (or MISP JSON
    /// events, or a MISP feed directory, with `--format misp`).
    Export {
        /// Source collection (default: the node's intelligence collection).
        #[arg(long)]
        collection: Option<String>,
        /// Only these object types (repeatable).
        #[arg(long = "type")]
        types: Vec<String>,
        /// Every version of each object instead of the latest only.
        #[arg(long)]
        all_versions: bool,
        /// Leave out indicators whose score has decayed under the threshold (the decay
        /// model's, see `entente score model show`, or --threshold).
        #[arg(long)]
        exclude_decayed: bool,
        /// With --exclude-decayed: the score (0–100) under which an indicator is left out.
        #[arg(long, value_name = "SCORE", requires = "exclude_decayed")]
        threshold: Option<f64>,
        /// Keep indicators past their `valid_until`. By default an export leaves them
        /// out: an expired indicator is no longer intelligence to act on.
        #[arg(long)]
        include_expired: bool,
        /// Export for this partner (node id or exact name): only what the release
        /// decision lets it have under the treaty (or shared alliance) in force, with the
        /// treaty's obligations applied, each object recorded in the audit ledger as
        /// released to it. Objects that must travel encrypted end to end are left out:
        /// they reach the partner by sync alone.
        #[arg(long = "for", value_name = "PARTNER")]
        for_partner: Option<String>,
        /// `stix` (a bundle) or `misp`: MISP JSON events, one per report (objects no
        /// report refers to form one more event), markings as `tlp:` tags or
        /// `entente:marking="<id>"`. Written as `{"response": [{"Event": …}, …]}` to
        /// standard output, or as a MISP feed with `--out-dir`.
        #[arg(long, value_enum, default_value = "stix")]
        format: ExportFormat,
        /// With `--format misp`: write a MISP feed into DIR (`manifest.json` and one
        /// `<uuid>.json` per event) that MISP, or `entente intel feed pull DIR`, reads.
        #[arg(long, value_name = "DIR")]
        out_dir: Option<PathBuf>,
    },
    /// Show what the node knows about one object: the ATT&CK techniques it cites (by
    /// id and name), the warning lists its values are on, its labels explained by the
    /// loaded taxonomies, and for an indicator its score now and whether it expired.
    Show {
        /// The object's id (`indicator--…`).
        id: String,
        #[arg(long)]
        json: bool,
    },
    /// Revoke an object this node originated: every version is deleted here, and a
    /// tombstone signed by this node goes to every partner that received it, which
    /// deletes it and passes the tombstone on to the nodes it shared it with, however
    /// many hops away. The object is never stored again by sync. To tighten an object's
    /// markings instead, import a new version: partners no longer entitled to it have
    /// it recalled.
    Revoke {
        /// The object's id (`indicator--…`).
        id: String,
        /// Why, as partners will read it (at most 500 characters).
        #[arg(long)]
        reason: String,
        #[arg(long)]
        json: bool,
    },
    /// MISP feeds: pull the events of a feed into this node.
    #[command(subcommand)]
    Feed(FeedCommand),
    /// Who else knows this? The objects sharing an observable value (IP, CIDR
    /// containment, domain and subdomains, URL, e-mail, file hash, certificate
    /// fingerprint) with an object, or holding a value you give, with where each came
    /// from (its originator and the partner it was received from).
    ///
    /// Examples:
    ///   entente intel correlate indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f
    ///   entente intel correlate 198.51.100.7
    ///   entente intel correlate 10.0.0.0/8 --json
    ///   entente intel correlate sha256:e3b0c442…   (or a bare hex MD5/SHA-1/SHA-256)
    ///
    /// Values held by more objects than the cap (default 1000; set with --cap) are
    /// reported as over-correlated, without their holders, as MISP does.
    #[command(verbatim_doc_comment)]
    Correlate {
        /// An object id (`indicator--…`) or a raw value.
        #[arg(required_unless_present_any = ["reindex", "cap"])]
        target: Option<String>,
        /// Index every stored object again: catches up objects stored while a cap of
        /// 0 turned correlation off (an older database is indexed when it is opened).
        #[arg(long)]
        reindex: bool,
        /// Set how many objects a value may correlate before it counts as
        /// over-correlated (applies to values indexed from now on); 0 turns
        /// correlation off for objects stored from now on (--reindex catches up).
        #[arg(long, value_name = "N")]
        cap: Option<i64>,
        #[arg(long)]
        json: bool,
    },
}

const FEED_PULL_ABOUT: &str = "Pull a MISP feed into this node.\n\n\
    A MISP feed is a directory, local or on a web server, holding `manifest.json` (event uuid → info and \
    timestamp) and one `<uuid>.json` per event. The pull reads the manifest, fetches each event that is new \
    or whose manifest timestamp is newer than at the last pull, converts it to STIX (as `intel import \
    --format misp` does: tlp: tags become TLP markings, an unknown TLP tag rejects the event) and stores it. \
    What was pulled is remembered per feed, so running it again takes only what changed. For a feed served \
    with a private CA, pass --tls-ca.\n\n\
    Examples:\n  \
    entente intel feed pull https://www.circl.lu/doc/misp/feed-osint/\n  \
    entente intel feed pull ./feed-dir --json\n  \
    entente intel export --format misp --out-dir ./feed-dir   (write a feed others can pull)";

/// The formats `intel import` reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ImportFormat {
    Auto,
    Stix,
    Misp,
}

/// The formats `intel export` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ExportFormat {
    Stix,
    Misp,
}

#[derive(Debug, Subcommand)]
pub enum FeedCommand {
    /// Pull a MISP feed (a directory or an http(s) URL): only new or changed events.
    #[command(long_about = FEED_PULL_ABOUT)]
    Pull {
        /// The feed: an http(s) URL (the directory holding manifest.json) or a local directory.
        source: String,
        /// Target collection (default: the node's intelligence collection).
        #[arg(long)]
        collection: Option<String>,
        /// Print the summary as JSON.
        #[arg(long)]
        json: bool,
    },
}

const RELATIONS_ABOUT: &str = "Diplomatic relations with other nodes.\n\n\
    A relation goes: contact (the partner's card was fetched) → recognized (both operators \
    confirmed each other's fingerprint out of band) → negotiating (a treaty draft is on the \
    table) → in-force (every party signed) ↔ suspended → terminated.\n\n\
    Every move is a signed diplomatic note. These commands check the move against the \
    relation, sign the note and queue it in the data directory; the running `entente serve` \
    delivers it, retrying until the partner has it. Moves work while the server is down and \
    go out once it runs.\n\n\
    First contact:\n  \
    entente relations contact https://partner.example.org\n  \
    (compare the fingerprint with the partner's operator by phone or in person)\n  \
    entente relations recognize CERT-Partner --fingerprint AB:CD:…\n\n\
    Then negotiate:\n  \
    entente treaty template --with CERT-Partner > treaty.json   (edit it)\n  \
    entente relations propose CERT-Partner --treaty treaty.json\n  \
    entente relations show CERT-Partner";

/// The partner a move is addressed to.
#[derive(Debug, Args)]
pub struct Partner {
    /// The partner: its node id (identity--…) or its exact name, as `entente relations
    /// list` shows them.
    pub node: String,
    /// Print the note sent and the relation after it as JSON.
    #[arg(long)]
    pub json: bool,
}

/// A move that carries a treaty text.
#[derive(Debug, Args)]
pub struct TreatyMove {
    #[command(flatten)]
    pub partner: Partner,
    /// The treaty: a JSON file, `-` for standard input. Whole lines starting with `//`
    /// are comments and are removed, so a filled-in `entente treaty template` works as is.
    #[arg(long, value_name = "FILE")]
    pub treaty: PathBuf,
}

/// A move that may give a reason.
#[derive(Debug, Args)]
pub struct ReasonedMove {
    #[command(flatten)]
    pub partner: Partner,
    /// Why, in words the partner's operator will read (kept in the signed note).
    #[arg(long)]
    pub reason: Option<String>,
}

/// A move on the text under negotiation.
#[derive(Debug, Args)]
pub struct DraftMove {
    #[command(flatten)]
    pub partner: Partner,
    /// Refuse unless the draft under negotiation is this one (`sha256:…`, as `entente
    /// relations show` prints it), so you act on the text you read.
    #[arg(long, value_name = "HASH")]
    pub draft: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum RelationsCommand {
    /// First contact: fetch a node's signed card and show its fingerprint. Nothing is
    /// sent and nothing is trusted yet.
    Contact {
        /// The partner's base URL (https://partner.example.org) or its card URL
        /// (…/.well-known/entente).
        url: String,
        /// Print the partner as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Confirm a partner's fingerprint, compared with its operator out of band, pin its
    /// key and send our recognition with our card. The relation is recognized once both
    /// sides have done so.
    Recognize {
        #[command(flatten)]
        partner: Partner,
        /// The partner's fingerprint as its operator read it to you (separators and
        /// case do not matter).
        #[arg(long)]
        fingerprint: String,
        /// The base URL partners reach this node at, written on the card sent with the
        /// recognition (default: the one saved by `init` or `serve --public-url`, which
        /// also read ENTENTE_PUBLIC_URL).
        /// Before sending, this node's card is fetched there to make sure partners can
        /// reach it.
        #[arg(long)]
        public_url: Option<String>,
        /// Skip fetching our own card at --public-url (for a public URL that this machine
        /// cannot reach, such as one behind a reverse proxy).
        #[arg(long)]
        no_url_check: bool,
    },
    /// Propose a treaty (version 1, proposed_by this node) to a recognized partner.
    Propose(TreatyMove),
    /// Answer the partner's draft with a new version (`entente treaty next NODE` writes
    /// its skeleton).
    Counter(TreatyMove),
    /// Accept the partner's draft: its text is then fixed and both sides sign it.
    Accept(DraftMove),
    /// Sign the accepted text; the treaty is in force once every party has signed.
    Sign(DraftMove),
    /// Reject the partner's draft; the relation returns to where it was before it
    /// (recognized, or in force when the draft was an amendment).
    Reject(ReasonedMove),
    /// Withdraw our own draft; the relation returns to where it was before it.
    Withdraw(Partner),
    /// Propose an amendment to the treaty in force (`entente treaty next NODE` writes
    /// its skeleton); the treaty stays in force until the amendment is signed.
    Amend(TreatyMove),
    /// Suspend the treaty in force: exchanges stop at once, envoys lose access.
    Suspend(ReasonedMove),
    /// Resume a treaty we suspended.
    Resume(Partner),
    /// Give notice of termination: the relation ends after the treaty's notice period
    /// (at once while still negotiating).
    Terminate(ReasonedMove),
    /// Accredit the partner's envoy: print a token (once) that the partner's envoy
    /// uses on this node's APIs. It works only while a treaty is in force: suspension
    /// or termination stops it at once. `entente token revoke` withdraws it.
    Accredit {
        #[command(flatten)]
        partner: Partner,
        /// A label for the credential (e.g. "envoy Ms Okafor").
        #[arg(long, default_value = "")]
        name: String,
    },
    /// List partners and where each relation stands.
    List {
        #[arg(long)]
        json: bool,
    },
    /// Show one relation: state, treaty in force, draft, the moves open to us and the
    /// whole signed note history.
    Show {
        /// The partner's node id or exact name.
        node: String,
        /// Print the relation, every note (with its signed JSON) and the count of notes
        /// waiting for delivery as JSON.
        #[arg(long)]
        json: bool,
    },
}

const ALLIANCE_ABOUT: &str = "Alliances: a multilateral charter, its members, and signed acts.\n\n\
    Start from `entente alliance template --with NODE --with NODE > charter.json`, edit it, then \
    `entente alliance found --charter charter.json`: this node signs the charter and sends it to the \
    other founders, who each run `entente alliance sign ALLIANCE`. Once every founder has signed, \
    members propose admissions (`propose ALLIANCE --admit NODE`) and expulsions, vote under the \
    charter's decision rule (`vote ALLIANCE PROPOSAL yes|no`), and a candidate joins by acceding \
    to the charter (`accede ALLIANCE PROPOSAL`); a member leaves with `withdraw`. Every act is \
    signed by this node, checked against the alliance as this node holds it, and queued in \
    `alliance-act` notes to every node the alliance concerns that this node recognized \
    (`entente serve` delivers them). Members are never stored: `list` and `show` fold the acts \
    held, so two nodes holding the same acts show the same membership version and hash. \
    ALLIANCE is an alliance id (identity--…) or its exact name; PROPOSAL a proposal's hash \
    (sha256:…) or a unique prefix of it, as `show` prints.";

#[derive(Debug, Subcommand)]
pub enum AllianceCommand {
    /// Found an alliance: sign the charter in FILE as one of its founders and send it to
    /// the other founders (make FILE with `entente alliance template`).
    Found {
        /// The charter (JSON; lines starting with // are comments).
        #[arg(long, value_name = "FILE")]
        charter: PathBuf,
        #[arg(long)]
        json: bool,
    },
    /// Sign the charter of an alliance this node is a founder of (it arrived from the
    /// founder who proposed it; `entente alliance show ALLIANCE` prints it first).
    Sign {
        alliance: String,
        #[arg(long)]
        json: bool,
    },
    /// Propose to admit a node (it must then accede) or to expel a member, at the
    /// membership version in force. Members vote with `entente alliance vote`.
    Propose {
        alliance: String,
        /// The node to admit (node id or exact partner name).
        #[arg(long, value_name = "NODE", conflicts_with = "expel", required_unless_present = "expel")]
        admit: Option<String>,
        /// The member to expel (node id or exact partner name).
        #[arg(long, value_name = "NODE")]
        expel: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Vote on an open proposal; it passes once the charter's rule is met (and, for an
    /// admission, the candidate has acceded), or is defeated once it no longer can be.
    Vote {
        alliance: String,
        /// The proposal's hash or a unique prefix (see `entente alliance show`).
        proposal: String,
        #[arg(value_parser = ["yes", "no"])]
        vote: String,
        #[arg(long)]
        json: bool,
    },
    /// As the candidate of an admission, accede to the charter: no node becomes a
    /// member without signing it.
    Accede {
        alliance: String,
        /// The admission proposal that names this node.
        proposal: String,
        #[arg(long)]
        json: bool,
    },
    /// Leave an alliance, at once and without a vote.
    Withdraw {
        alliance: String,
        #[arg(long)]
        json: bool,
    },
    /// Every alliance this node holds: founded or not, version, members.
    List {
        #[arg(long)]
        json: bool,
    },
    /// One alliance: charter summary, members in force with version and hash, polls with
    /// their votes, and acts held that do not apply (yet).
    Show {
        alliance: String,
        /// Also print the charter document (with --json: always included).
        #[arg(long)]
        charter: bool,
        #[arg(long)]
        json: bool,
    },
    /// Print a commented charter template, with a fresh alliance id and this node (and
    /// the --with nodes) as founders, to edit and pass to `entente alliance found`.
    Template {
        /// Another founder (node id or exact partner name); repeat for each.
        #[arg(long = "with", value_name = "NODE")]
        with: Vec<String>,
        /// Print plain JSON, without comments.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum TreatyCommand {
    /// Show a treaty in plain language: parties, scope, IEP terms, dates, re-sharing,
    /// notice period, hash and signatures.
    Show {
        /// A treaty hash (sha256:…) this node knows, or a file (`-` for standard input)
        /// holding a treaty or a signed treaty ({"treaty": …, "signatures": [...]}).
        treaty: String,
        #[arg(long)]
        json: bool,
    },
    /// Verify every signature on a signed treaty with the keys pinned for its parties.
    /// Exits with status 2 when a signature is missing or refused.
    Verify {
        /// A treaty hash (sha256:…) this node knows, or a signed-treaty file (`-` for
        /// standard input).
        treaty: String,
        #[arg(long)]
        json: bool,
    },
    /// Print a commented treaty template to fill in and send with `entente relations
    /// propose`.
    Template {
        /// Fill in the parties: this node (the proposer) and this partner (node id or
        /// name; repeat for a treaty between more parties). Also gives a fresh treaty id.
        #[arg(long = "with", value_name = "NODE")]
        with: Vec<String>,
        /// Print the template as plain JSON, without comments.
        #[arg(long)]
        json: bool,
    },
    /// Print the next version of the text negotiated with a partner (the draft, or the
    /// treaty in force for an amendment), with version, supersedes, proposed_by and
    /// created filled in: edit it and send it with `relations counter` or `relations amend`.
    Next {
        /// The partner's node id or exact name.
        node: String,
        /// Print plain JSON, without the explaining comment lines.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum KeysCommand {
    /// Rotate the node's signing key: a new key is made, announced to every recognized
    /// partner in a note signed by the current key, and used from now on. The old key
    /// stays valid for --old-valid-days so the announcements can arrive; restart
    /// `entente serve` afterwards.
    Rotate {
        /// Days the old key stays valid after the rotation.
        #[arg(long, default_value_t = 7)]
        old_valid_days: i64,
        #[arg(long)]
        json: bool,
    },
}

const REFERENCE_ABOUT: &str = "Reference knowledge: what the node knows about intelligence.\n\n\
    Reference knowledge is kept apart from the node's collections: it is never offered to a partner \
    as this node's intelligence, by TAXII or by sync.\n\n\
    - ATT&CK: `entente reference load attack enterprise-attack.json.gz` reads MITRE's STIX bundles \
    (plain or gzip); objects that cite techniques then show them by id and name (`entente intel show ID`).\n\
    - Taxonomies: `entente reference load taxonomy DIR|FILE…` reads MISP `machinetag.json` files (the \
    data of the pytaxonomies package; a directory is searched recursively); `entente reference explain \
    pap:AMBER` says what a tag means.\n\
    - Warning lists: `entente reference load warninglists DIR…` reads MISP `list.json` files (the data of \
    pymispwarninglists). Indicators whose values are on a list (public resolvers, top domains…) are \
    flagged by `entente intel import`, `entente intel show` and GET /api/v1/objects/{id}/warnings.\n\n\
    Loading again replaces what was loaded under the same name.";

#[derive(Debug, Subcommand)]
pub enum ReferenceCommand {
    /// Load reference knowledge from files.
    #[command(subcommand)]
    Load(ReferenceLoad),
    /// How much reference knowledge the node holds.
    Status {
        #[arg(long)]
        json: bool,
    },
    /// What a tag or label means under the loaded taxonomies (`tlp:amber`, `PAP:RED`,
    /// `iep:affected-party-notifications="may"`), or an ATT&CK id (`T1566.001`).
    Explain {
        tag: String,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum ReferenceLoad {
    /// ATT&CK STIX bundles (enterprise-attack.json.gz, ics-attack…, mobile-attack…).
    Attack {
        #[arg(required = true)]
        files: Vec<PathBuf>,
        #[arg(long)]
        json: bool,
    },
    /// MISP taxonomies: `machinetag.json` files, or directories searched for them.
    Taxonomy {
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        #[arg(long)]
        json: bool,
    },
    /// MISP warning lists: `list.json` files, or directories searched for them.
    Warninglists {
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        #[arg(long)]
        json: bool,
    },
}

const SCORE_ABOUT: &str = "Indicator scores and how they decay.\n\n\
    An indicator's score follows MISP's polynomial decay: score = base × (1 − (t / lifetime)^(1 / decay_speed)), \
    where base is the indicator's `confidence` (or the model's base_score) and t the days since its \
    valid_from or, if later, its latest sighting: a sighting resets the clock. Past valid_until the \
    indicator is expired and scores 0. Under the threshold it is decayed, and `entente intel export \
    --exclude-decayed` leaves it out.\n\n\
    The model is a JSON document: a `default` model, and models `by_label` (first matching label wins) \
    and `by_type` (the pattern's object type, e.g. ipv4-addr), each {\"lifetime_days\", \"decay_speed\", \
    \"threshold\", \"base_score\"}. Start from `entente score model show --json > model.json`.";

#[derive(Debug, Subcommand)]
pub enum ScoreCommand {
    /// The decay model.
    #[command(subcommand)]
    Model(ScoreModelCommand),
}

#[derive(Debug, Subcommand)]
pub enum ScoreModelCommand {
    /// Print the model in force (MISP's defaults until one is set).
    Show {
        #[arg(long)]
        json: bool,
    },
    /// Check and set the model from a JSON file (`-` for standard input).
    Set { file: PathBuf },
}

const DESIGNATIONS_ABOUT: &str = "Designations of terrorist and sanctioned entities, and where partners disagree.\n\n\
    A designation is one authority's legal act: the entity, the authority, the legal basis or \
    programme, the date, the reference, and whether it is listed or delisted. Imported lists become \
    STIX objects (the entity, and an x-entente-designation object) in a collection, so they are signed, \
    released under treaties, synced and audited like any other intelligence.\n\n\
    The same organisation appears under different names on different lists. Records whose normalised \
    names or aliases match are grouped as candidates; an analyst confirms or rejects a pair with \
    `designations link`. Records are never merged: every view shows each source's own record.\n\n\
    Examples:\n  \
    entente designations import un-consolidated.xml ofac-sdn.csv canada.json\n  \
    entente designations divergence --entity \"Asbat al-Ansar\"\n  \
    entente designations divergence --between ca un --csv > ca-not-un.csv\n  \
    entente designations list --authority ca --name hizballah\n  \
    entente designations link threat-actor--… threat-actor--… --confirm --note \"same group, see UN narrative\"";

#[derive(Debug, Subcommand)]
pub enum DesignationsCommand {
    /// Import designation lists: the UN Security Council Consolidated List (XML), the
    /// US OFAC SDN list (sdn.csv; its SDGT, SDT and FTO entries) or Canada's listed
    /// terrorist entities (MISP galaxy cluster JSON). The format is read from the
    /// content. Re-importing a list adds only what changed, and records a designation
    /// missing from the new list as delisted.
    Import {
        /// List files, in any of the three formats.
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Attribute the lists to this authority key instead of the one their format
        /// implies (`un`, `ofac`, `ca`, or a new key such as `eu`).
        #[arg(long)]
        authority: Option<String>,
        /// Target collection (default: the node's intelligence collection).
        #[arg(long)]
        collection: Option<String>,
        /// Print the summary as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Who designates an entity and who does not; or, with --between, what one
    /// authority lists and another does not. Without either: every entity that more
    /// than one list names.
    Divergence {
        /// An entity: a name or alias (normalised: case, accents, punctuation and
        /// `al-` do not matter) or a STIX id of an entity or designation.
        #[arg(long, conflicts_with = "between")]
        entity: Option<String>,
        /// Two authority keys, e.g. `--between ca un`.
        #[arg(long, num_args = 2, value_names = ["A", "B"])]
        between: Vec<String>,
        /// Print JSON.
        #[arg(long, conflicts_with = "csv")]
        json: bool,
        /// Print CSV: one line per record of each group.
        #[arg(long)]
        csv: bool,
    },
    /// Confirm or reject that two records name the same entity. Automatic matches are
    /// only candidates; a confirmed link groups two records even when their names
    /// differ, a rejected one keeps them apart even when their names match. The
    /// records themselves are never merged.
    Link {
        /// An entity id (`threat-actor--…` or `identity--…`, see `designations list`).
        a: String,
        /// The other entity id.
        b: String,
        #[arg(long, required_unless_present = "reject", conflicts_with = "reject")]
        confirm: bool,
        #[arg(long)]
        reject: bool,
        /// Why, for the analysts who come after.
        #[arg(long)]
        note: Option<String>,
        /// Who decides (default: $USER).
        #[arg(long, env = "USER", default_value = "analyst")]
        by: String,
        #[arg(long)]
        json: bool,
    },
    /// List the designations this node holds, with their entity ids.
    List {
        /// Only this authority's.
        #[arg(long)]
        authority: Option<String>,
        /// Only `listed` or `delisted` ones.
        #[arg(long)]
        status: Option<String>,
        /// Only those whose name contains this text (normalised).
        #[arg(long)]
        name: Option<String>,
        #[arg(long)]
        json: bool,
    },
}
