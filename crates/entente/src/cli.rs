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
    /// Serve the node over HTTP: TAXII 2.1 under /taxii2/, /healthz and /metrics.
    Serve(ServeArgs),
    /// Create, list and revoke API tokens.
    #[command(subcommand)]
    Token(TokenCommand),
    /// Create and list TAXII API roots.
    #[command(subcommand, name = "api-root")]
    ApiRoot(ApiRootCommand),
    /// Create and list collections.
    #[command(subcommand)]
    Collection(CollectionCommand),
    /// Import and export STIX 2.1 intelligence.
    #[command(subcommand)]
    Intel(IntelCommand),
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
    /// The base URL partners reach this node at, as written on its node card
    /// (default: http://LISTEN).
    #[arg(long, env = "ENTENTE_PUBLIC_URL")]
    pub public_url: Option<String>,
    /// How far a partner's clock may differ from ours, in seconds, before its notes
    /// are refused as stale.
    #[arg(long, default_value_t = 300)]
    pub clock_skew: i64,
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
    /// gzip), streaming. Exits with status 2 when some objects were rejected.
    Import {
        /// Files to read; `-` reads standard input.
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Target collection (default: the node's intelligence collection).
        #[arg(long)]
        collection: Option<String>,
        /// Print the summary as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Write a STIX 2.1 bundle of a collection to standard output.
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
    },
}
