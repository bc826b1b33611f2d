//! The data directory: where the database and the signing key live.
//!
//! Layout: `entente.db` (SQLite, WAL), `node.key` (the Ed25519 seed, hex, mode 0600)
//! and `encryption.key` (the X25519 key partners seal to, hex, mode 0600). The
//! directory itself is created with mode 0700.

use anyhow::{Context, bail};
use entente_core::seal::EncryptionKey;
use entente_store::Store;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

pub struct DataDir {
    root: PathBuf,
}

impl DataDir {
    pub fn new(root: &Path) -> DataDir {
        DataDir { root: root.to_owned() }
    }

    pub fn database(&self) -> PathBuf {
        self.root.join("entente.db")
    }

    pub fn key_file(&self) -> PathBuf {
        self.root.join("node.key")
    }

    pub fn encryption_key_file(&self) -> PathBuf {
        self.root.join("encryption.key")
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Opens the node's store, explaining what to do when there is none.
    pub fn open_store(&self) -> anyhow::Result<Store> {
        if !self.database().exists() {
            bail!(
                "no node in {} — create one with `entente init --dir {} --name NAME`, or point --dir/ENTENTE_DIR at an existing node",
                self.root.display(),
                self.root.display()
            );
        }
        Store::open(&self.database()).with_context(|| format!("opening {}", self.database().display()))
    }

    /// Whether anything of a node is already here.
    pub fn is_initialised(&self) -> bool {
        self.database().exists() || self.key_file().exists()
    }

    pub fn create_root(&self) -> anyhow::Result<()> {
        let mut builder = fs::DirBuilder::new();
        builder.recursive(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::DirBuilderExt;
            builder.mode(0o700);
        }
        builder.create(&self.root).with_context(|| format!("creating {}", self.root.display()))?;
        // A directory that already existed keeps the mode it was made with; the node's
        // secrets live here, so it is narrowed to its owner either way.
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            fs::set_permissions(&self.root, fs::Permissions::from_mode(0o700))
                .with_context(|| format!("restricting {}", self.root.display()))?;
        }
        Ok(())
    }

    /// Writes the signing-key seed, readable by its owner only; never overwrites.
    pub fn write_key(&self, seed: &[u8; 32]) -> anyhow::Result<()> {
        self.write_key_to(&self.key_file(), seed)
    }

    /// Writes a key seed to `path` with mode 0600; refuses to overwrite.
    pub fn write_key_to(&self, path: &Path, seed: &[u8; 32]) -> anyhow::Result<()> {
        let mut options = fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        let mut file = options.open(path).with_context(|| format!("creating {}", path.display()))?;
        file.write_all(hex::encode(seed).as_bytes())?;
        file.write_all(b"\n")?;
        file.sync_all()?;
        Ok(())
    }

    /// Makes the database readable by its owner only. SQLite gives the `-wal` and
    /// `-shm` files it creates later the database file's permissions, so this covers
    /// them too; the ones that exist now are changed as well.
    pub fn restrict_database(&self) -> anyhow::Result<()> {
        #[cfg(unix)]
        for name in ["entente.db", "entente.db-wal", "entente.db-shm"] {
            use std::os::unix::fs::PermissionsExt;
            let path = self.root.join(name);
            if path.exists() {
                fs::set_permissions(&path, fs::Permissions::from_mode(0o600))
                    .with_context(|| format!("restricting {}", path.display()))?;
            }
        }
        Ok(())
    }

    /// Reads the node's signing key.
    pub fn read_key(&self) -> anyhow::Result<entente_core::node::NodeKey> {
        let path = self.key_file();
        let text = fs::read_to_string(&path).with_context(|| format!("reading the node key {}", path.display()))?;
        let bytes = hex::decode(text.trim()).with_context(|| format!("{} is not a hex key seed", path.display()))?;
        let seed: [u8; 32] =
            bytes.try_into().map_err(|_| anyhow::anyhow!("{} must hold a 32-byte seed", path.display()))?;
        Ok(entente_core::node::NodeKey::from_seed(seed))
    }

    /// Reads the node's encryption key, if it has one (nodes made before it existed
    /// do not, until `serve` makes it).
    pub fn read_encryption_key(&self) -> anyhow::Result<Option<EncryptionKey>> {
        let path = self.encryption_key_file();
        if !path.exists() {
            return Ok(None);
        }
        let text =
            fs::read_to_string(&path).with_context(|| format!("reading the encryption key {}", path.display()))?;
        let bytes = hex::decode(text.trim()).with_context(|| format!("{} is not a hex key", path.display()))?;
        let secret: [u8; 32] =
            bytes.try_into().map_err(|_| anyhow::anyhow!("{} must hold a 32-byte key", path.display()))?;
        Ok(Some(EncryptionKey::from_bytes(secret)))
    }

    /// Makes a new encryption key and writes it with mode 0600; never overwrites.
    pub fn create_encryption_key(&self) -> anyhow::Result<EncryptionKey> {
        let key = EncryptionKey::from_bytes(random_bytes()?);
        self.write_key_to(&self.encryption_key_file(), &key.to_bytes())?;
        Ok(key)
    }

    /// Removes what a failed `init` created, so a retry starts clean.
    pub fn remove_node_files(&self) {
        for name in ["entente.db", "entente.db-wal", "entente.db-shm", "node.key", "encryption.key"] {
            let _ = fs::remove_file(self.root.join(name));
        }
    }
}

/// Fills a buffer from the operating system's random source.
pub fn random_bytes<const N: usize>() -> anyhow::Result<[u8; N]> {
    let mut buffer = [0u8; N];
    getrandom::fill(&mut buffer).map_err(|error| anyhow::anyhow!("no randomness available: {error}"))?;
    Ok(buffer)
}
