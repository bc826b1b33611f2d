//! `entente api-root …` and `entente collection …`.

use super::now_micros;
use crate::cli::{ApiRootCommand, CollectionCommand};
use crate::datadir::DataDir;
use crate::output::emit;
use entente_core::auth::{Role, RoleError};
use entente_store::{ApiRoot, Collection};

pub fn api_root(dir: &DataDir, command: ApiRootCommand) -> anyhow::Result<()> {
    let store = dir.open_store()?;
    match command {
        ApiRootCommand::Create { name, title, description, json } => {
            let root = ApiRoot { name, title, description };
            store.create_api_root(&root, now_micros())?;
            emit(json, &root, |root| format!("Created API root /{}/ ({})", root.name, root.title))
        }
        ApiRootCommand::List { json } => {
            let roots = store.list_api_roots()?;
            emit(json, &roots, |roots| {
                roots.iter().map(|root| format!("/{}/\t{}", root.name, root.title)).collect::<Vec<_>>().join("\n")
            })
        }
    }
}

fn roles(text: &str) -> Result<Vec<Role>, RoleError> {
    Role::parse_list(text)
}

pub fn collection(dir: &DataDir, command: CollectionCommand) -> anyhow::Result<()> {
    let store = dir.open_store()?;
    match command {
        CollectionCommand::Create { api_root, title, id, description, alias, read_roles, write_roles, json } => {
            let spec = Collection {
                id: id.unwrap_or_else(|| uuid::Uuid::new_v4().to_string()),
                api_root,
                title,
                description,
                alias,
                read_roles: roles(&read_roles)?,
                write_roles: roles(&write_roles)?,
            };
            let collection = store.create_collection(&spec, now_micros())?;
            emit(json, &collection, |collection| {
                format!(
                    "Created collection {} ({}) at /{}/collections/{}/\n  read: {}  write: {}",
                    collection.id,
                    collection.title,
                    collection.api_root,
                    collection.id,
                    Role::join(&collection.read_roles),
                    Role::join(&collection.write_roles)
                )
            })
        }
        CollectionCommand::List { api_root, json } => {
            let collections = store.list_collections(api_root.as_deref())?;
            emit(json, &collections, |collections| {
                collections
                    .iter()
                    .map(|collection| {
                        format!(
                            "{}\t/{}/\t{}\tread: {}\twrite: {}",
                            collection.id,
                            collection.api_root,
                            collection.title,
                            Role::join(&collection.read_roles),
                            Role::join(&collection.write_roles)
                        )
                    })
                    .collect::<Vec<_>>()
                    .join("\n")
            })
        }
    }
}
