//! API roots and collections, with the roles allowed to read and write each.

use crate::{Store, StoreError};
use entente_core::auth::Role;
use rusqlite::{OptionalExtension, Row};
use serde::Serialize;

/// An API root: a named group of collections under `/{name}/`.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ApiRoot {
    pub name: String,
    pub title: String,
    pub description: Option<String>,
}

/// A collection and who may use it; also what is given to create one (its id is then
/// normalised to lower-case hyphenated form).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Collection {
    pub id: String,
    pub api_root: String,
    pub title: String,
    pub description: Option<String>,
    pub alias: Option<String>,
    pub read_roles: Vec<Role>,
    pub write_roles: Vec<Role>,
}

impl Collection {
    pub fn can_read(&self, role: Role) -> bool {
        self.read_roles.contains(&role)
    }

    pub fn can_write(&self, role: Role) -> bool {
        self.write_roles.contains(&role)
    }
}

/// Names the server uses for its own routes.
const RESERVED_API_ROOT_NAMES: &[&str] = &["taxii2", "healthz", "metrics", "well-known", "ui", "api"];

/// API root names are URL path segments: 1-63 of `a-z 0-9 - _`, starting with a letter
/// or digit, and not one of the server's own route names.
pub fn is_valid_api_root_name(name: &str) -> bool {
    let bytes = name.as_bytes();
    !RESERVED_API_ROOT_NAMES.contains(&name)
        && !bytes.is_empty()
        && bytes.len() <= 63
        && bytes[0].is_ascii_alphanumeric()
        && bytes.iter().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || *b == b'-' || *b == b'_')
}

/// Collection ids are UUIDs, stored in lower-case hyphenated form; lookups accept
/// any spelling of the same UUID.
fn canonical_collection_id(id: &str) -> Option<String> {
    uuid::Uuid::try_parse(id).ok().map(|uuid| uuid.hyphenated().to_string())
}

fn roles(text: &str) -> Result<Vec<Role>, rusqlite::Error> {
    Role::parse_list(text)
        .map_err(|error| rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Text, Box::new(error)))
}

fn collection_from_row(row: &Row<'_>) -> Result<Collection, rusqlite::Error> {
    Ok(Collection {
        id: row.get(0)?,
        api_root: row.get(1)?,
        title: row.get(2)?,
        description: row.get(3)?,
        alias: row.get(4)?,
        read_roles: roles(&row.get::<_, String>(5)?)?,
        write_roles: roles(&row.get::<_, String>(6)?)?,
    })
}

const COLLECTION_COLUMNS: &str = "id, api_root, title, description, alias, read_roles, write_roles";

impl Store {
    pub fn create_api_root(&self, root: &ApiRoot, now_micros: i64) -> Result<(), StoreError> {
        if !is_valid_api_root_name(&root.name) {
            return Err(StoreError::Invalid(format!(
                "API root name {:?} must be 1-63 characters of a-z, 0-9, '-' and '_', and not one of {}",
                root.name,
                RESERVED_API_ROOT_NAMES.join(", ")
            )));
        }
        self.pool.write(|transaction| {
            let exists: bool = transaction.query_row(
                "SELECT EXISTS(SELECT 1 FROM api_roots WHERE name = ?1)",
                [&root.name],
                |row| row.get(0),
            )?;
            if exists {
                return Err(StoreError::AlreadyExists(format!("API root {:?}", root.name)));
            }
            transaction.execute(
                "INSERT INTO api_roots (name, title, description, created_at) VALUES (?1, ?2, ?3, ?4)",
                (&root.name, &root.title, &root.description, now_micros),
            )?;
            Ok(())
        })
    }

    pub fn list_api_roots(&self) -> Result<Vec<ApiRoot>, StoreError> {
        self.pool.read(|transaction| {
            let mut statement = transaction
                .prepare_cached("SELECT name, title, description FROM api_roots ORDER BY created_at, name")?;
            let rows = statement
                .query_map([], |row| Ok(ApiRoot { name: row.get(0)?, title: row.get(1)?, description: row.get(2)? }))?;
            Ok(rows.collect::<Result<Vec<_>, _>>()?)
        })
    }

    pub fn api_root(&self, name: &str) -> Result<Option<ApiRoot>, StoreError> {
        self.pool.read(|transaction| {
            Ok(transaction
                .prepare_cached("SELECT name, title, description FROM api_roots WHERE name = ?1")?
                .query_row([name], |row| {
                    Ok(ApiRoot { name: row.get(0)?, title: row.get(1)?, description: row.get(2)? })
                })
                .optional()?)
        })
    }

    pub fn create_collection(&self, spec: &Collection, now_micros: i64) -> Result<Collection, StoreError> {
        let id = canonical_collection_id(&spec.id)
            .ok_or_else(|| StoreError::Invalid(format!("collection id {:?} is not a UUID", spec.id)))?;
        if spec.title.trim().is_empty() {
            return Err(StoreError::Invalid("a collection needs a non-empty title".into()));
        }
        self.pool.write(|transaction| {
            let root_exists: bool = transaction.query_row(
                "SELECT EXISTS(SELECT 1 FROM api_roots WHERE name = ?1)",
                [&spec.api_root],
                |row| row.get(0),
            )?;
            if !root_exists {
                return Err(StoreError::NotFound(format!("API root {:?}", spec.api_root)));
            }
            let exists: bool =
                transaction
                    .query_row("SELECT EXISTS(SELECT 1 FROM collections WHERE id = ?1)", [&id], |row| row.get(0))?;
            if exists {
                return Err(StoreError::AlreadyExists(format!("collection {id}")));
            }
            transaction.execute(
                "INSERT INTO collections (id, api_root, title, description, alias, read_roles, write_roles, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                (
                    &id,
                    &spec.api_root,
                    &spec.title,
                    &spec.description,
                    &spec.alias,
                    Role::join(&spec.read_roles),
                    Role::join(&spec.write_roles),
                    now_micros,
                ),
            )?;
            Ok(())
        })?;
        Ok(Collection { id, ..spec.clone() })
    }

    /// Collections, of one API root or of all when `api_root` is `None`.
    pub fn list_collections(&self, api_root: Option<&str>) -> Result<Vec<Collection>, StoreError> {
        self.pool.read(|transaction| {
            let sql = format!(
                "SELECT {COLLECTION_COLUMNS} FROM collections WHERE ?1 IS NULL OR api_root = ?1 ORDER BY api_root, created_at, id"
            );
            let mut statement = transaction.prepare_cached(&sql)?;
            let rows = statement.query_map([api_root], collection_from_row)?;
            Ok(rows.collect::<Result<Vec<_>, _>>()?)
        })
    }

    /// Looks up an API root and one of its collections in a single read, for the hot
    /// path of every TAXII collection request: `Ok(None)` when the API root is missing,
    /// `Ok(Some(None))` when the collection is.
    pub fn api_root_collection(&self, api_root: &str, id: &str) -> Result<Option<Option<Collection>>, StoreError> {
        let id = canonical_collection_id(id).unwrap_or_else(|| id.to_owned());
        self.pool.read(|transaction| {
            let root_exists: bool = transaction
                .prepare_cached("SELECT EXISTS(SELECT 1 FROM api_roots WHERE name = ?1)")?
                .query_row([api_root], |row| row.get(0))?;
            if !root_exists {
                return Ok(None);
            }
            let sql = format!("SELECT {COLLECTION_COLUMNS} FROM collections WHERE id = ?1 AND api_root = ?2");
            Ok(Some(transaction.prepare_cached(&sql)?.query_row((&id, api_root), collection_from_row).optional()?))
        })
    }

    /// A collection by id (any API root when `api_root` is `None`).
    pub fn collection(&self, api_root: Option<&str>, id: &str) -> Result<Option<Collection>, StoreError> {
        let id = canonical_collection_id(id).unwrap_or_else(|| id.to_owned());
        self.pool.read(|transaction| {
            let sql =
                format!("SELECT {COLLECTION_COLUMNS} FROM collections WHERE id = ?1 AND (?2 IS NULL OR api_root = ?2)");
            Ok(transaction.prepare_cached(&sql)?.query_row((id, api_root), collection_from_row).optional()?)
        })
    }
}
