//! `entente init`: create a node. All or nothing: on any failure the files it made
//! are removed, and an existing node is never touched.

use super::now_micros;
use crate::cli::InitArgs;
use crate::datadir::{DataDir, random_bytes};
use crate::output::emit;
use anyhow::{Context, bail};
use entente_core::auth::{ApiToken, Role};
use entente_core::node::{CountryCode, NodeKey, NodeKind, NodeName, identity_object};
use entente_core::stix::StixObject;
use entente_core::{StixId, Timestamp};
use entente_store::{ApiRoot, Collection, NodeSettings, Store};
use serde::Serialize;

pub const DEFAULT_API_ROOT: &str = "intel";

#[derive(Serialize)]
struct Created {
    dir: String,
    name: String,
    identity_id: String,
    fingerprint: String,
    api_root: String,
    collection_id: String,
    token: String,
    token_id: String,
}

pub fn run(dir: &DataDir, args: &InitArgs) -> anyhow::Result<()> {
    let name = NodeName::parse(&args.name)?;
    let kind = NodeKind::parse(&args.kind)?;
    let country = args.country.as_deref().map(CountryCode::parse).transpose()?;
    if dir.is_initialised() {
        bail!("{} already holds a node; nothing was changed (use another --dir for a new node)", dir.root().display());
    }
    dir.create_root()?;
    let created = create(dir, &name, kind, country.as_ref(), args.public_url.as_deref())
        .inspect_err(|_| dir.remove_node_files())?;
    emit(args.json, &created, |created| {
        format!(
            "Created node {:?} in {}\n  identity:    {}\n  fingerprint: {}\n  TAXII:       /taxii2/ → /{}/collections/{}/\n\n\
             Admin token (shown once, store it safely):\n  {}\n\nNext: `entente serve --dir {}`",
            created.name,
            created.dir,
            created.identity_id,
            created.fingerprint,
            created.api_root,
            created.collection_id,
            created.token,
            created.dir
        )
    })
}

/// What a new node is: its name, kind, country, its node id (a fresh one for `init`,
/// a party's fixed one for the demo), the URL its card names, and the name of its
/// first admin token.
pub(super) struct NewNode<'a> {
    pub name: &'a NodeName,
    pub kind: NodeKind,
    pub country: Option<&'a CountryCode>,
    pub identity_id: StixId,
    pub public_url: Option<&'a str>,
    pub token_name: &'a str,
}

/// A node just made: its store, keys, settings and first admin token.
pub(super) struct MadeNode {
    pub store: Store,
    pub key: NodeKey,
    pub encryption: entente_core::seal::EncryptionKey,
    pub settings: NodeSettings,
    pub token: ApiToken,
    pub token_id: String,
}

/// Makes a node in `dir` (which exists and holds none): signing and encryption keys,
/// the SQLite store, the API root and its collection, the node's STIX identity, its
/// settings and an admin token. `entente init` and `entente demo` both make nodes so.
pub(super) fn make_node(dir: &DataDir, node: &NewNode<'_>) -> anyhow::Result<MadeNode> {
    let key = NodeKey::from_seed(random_bytes()?);
    dir.write_key(&key.seed())?;
    let encryption = dir.create_encryption_key()?;
    let store = Store::create(&dir.database()).context("creating the database")?;
    dir.restrict_database()?;
    let now = now_micros();
    let name = node.name.as_str();
    let identity =
        identity_object(&node.identity_id, node.name, node.kind, node.country, Timestamp::from_unix_micros(now));
    store.create_api_root(
        &ApiRoot { name: DEFAULT_API_ROOT.into(), title: format!("{name} intelligence"), description: None },
        now,
    )?;
    let collection = store.create_collection(
        &Collection {
            id: uuid::Uuid::new_v4().to_string(),
            api_root: DEFAULT_API_ROOT.into(),
            title: "Intelligence".into(),
            description: Some(format!("STIX 2.1 intelligence held by {name}")),
            alias: Some("intelligence".into()),
            read_roles: Role::ALL.to_vec(),
            write_roles: vec![Role::Analyst, Role::Admin],
        },
        now,
    )?;
    let identity_object =
        StixObject::from_json(&identity.to_string()).map_err(|rejection| anyhow::anyhow!("{rejection}"))?;
    store.add_objects(&collection.id, &[identity_object], now)?;
    let settings = NodeSettings {
        name: name.to_owned(),
        kind: node.kind.as_str().to_owned(),
        country: node.country.map(|code| code.as_str().to_owned()),
        identity_id: node.identity_id.to_string(),
        public_key: hex::encode(key.public_key()),
        fingerprint: key.fingerprint(),
        default_api_root: DEFAULT_API_ROOT.into(),
        default_collection: collection.id,
        public_url: node.public_url.map(|url| url.trim_end_matches('/').to_owned()),
    };
    store.save_node_settings(&settings)?;
    let token = ApiToken::from_random(random_bytes()?);
    let record =
        store.create_token(&super::token::new_token_id()?, node.token_name, Role::Admin, &token.hash(), now)?;
    Ok(MadeNode { store, key, encryption, settings, token, token_id: record.id })
}

fn create(
    dir: &DataDir,
    name: &NodeName,
    kind: NodeKind,
    country: Option<&CountryCode>,
    public_url: Option<&str>,
) -> anyhow::Result<Created> {
    let identity_id = StixId::from_parts("identity", uuid::Uuid::new_v4())?;
    let node = NewNode { name, kind, country, identity_id, public_url, token_name: "admin (created by init)" };
    let made = make_node(dir, &node)?;
    Ok(Created {
        dir: dir.root().display().to_string(),
        name: made.settings.name,
        identity_id: made.settings.identity_id,
        fingerprint: made.settings.fingerprint,
        api_root: DEFAULT_API_ROOT.into(),
        collection_id: made.settings.default_collection,
        token: made.token.secret().to_owned(),
        token_id: made.token_id,
    })
}
