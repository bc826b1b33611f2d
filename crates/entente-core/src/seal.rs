//! Sealing to a node's encryption key: HPKE (RFC 9180), base mode, single-shot, with
//! DHKEM(X25519, HKDF-SHA256), HKDF-SHA256 and ChaCha20-Poly1305 (suite ids 0x0020,
//! 0x0001, 0x0003).
//!
//! A node publishes an [`EncryptionPublicKey`] on its card (`encryption_key`, named
//! by [`ENCRYPTION_ALGORITHM`]); anyone can [`seal`] bytes to it, and only the holder
//! of the [`EncryptionKey`] can [`open`] them. `info` binds a sealed box to its purpose
//! and `aad` to the data it travels with; both must be the same on both sides.
//!
//! Wire forms: a public key is unpadded base64url of its 32 bytes; its id is
//! `x25519:` + the first 16 lower-case hex digits of the SHA-256 of those bytes (as
//! Ed25519 key ids, with another prefix). `enc` is the 32-byte encapsulated key, the
//! ciphertext carries the 16-byte Poly1305 tag at its end.
//!
//! Invariants: this module draws no randomness. The ephemeral key of each seal comes
//! from a ChaCha20 generator seeded with the 32 random bytes the caller passes, so a
//! seal is a pure function of its inputs; a caller must never reuse those bytes. The
//! private key is wiped from memory when dropped and never printed.
//!
//! What it deliberately does not do: say which objects are sealed, to whom, or how
//! sealed boxes travel (sync wires that), nor the authenticated or PSK modes.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chacha20::ChaCha20Rng;
use chacha20::rand_core::{CryptoRng, SeedableRng};
use hpke::{Deserializable, Kem as _, OpModeR, OpModeS, Serializable};
use sha2::{Digest, Sha256};
use std::fmt;
use zeroize::{Zeroize, ZeroizeOnDrop};

type Kem = hpke::kem::X25519HkdfSha256;
type Kdf = hpke::kdf::HkdfSha256;
type Aead = hpke::aead::ChaCha20Poly1305;

/// The `algorithm` of a card's `encryption_key`: HPKE base mode with this suite.
pub const ENCRYPTION_ALGORITHM: &str = "hpke-x25519-hkdf-sha256-chacha20poly1305";

/// Why a key could not be read, or a box could not be sealed or opened.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SealError {
    #[error("encryption public key is not 32 bytes of unpadded base64url X25519 key")]
    PublicKey,
    #[error("encryption key id {0:?} is not `x25519:` followed by 16 lower-case hex digits")]
    KeyId(String),
    #[error("cannot seal to this key (a low-order X25519 point)")]
    Seal,
    #[error("the sealed box does not open with this key, info and aad (wrong key, or altered in transit)")]
    Open,
}

/// Names an encryption public key: `x25519:` + 16 hex digits of its SHA-256.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct EncryptionKeyId(String);

impl EncryptionKeyId {
    pub fn parse(text: &str) -> Result<EncryptionKeyId, SealError> {
        let digits = text.strip_prefix("x25519:").ok_or_else(|| SealError::KeyId(text.to_owned()))?;
        if digits.len() == 16 && digits.bytes().all(|byte| byte.is_ascii_digit() || (b'a'..=b'f').contains(&byte)) {
            Ok(EncryptionKeyId(text.to_owned()))
        } else {
            Err(SealError::KeyId(text.to_owned()))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for EncryptionKeyId {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(&self.0)
    }
}

/// An X25519 public key that boxes are sealed to.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct EncryptionPublicKey([u8; 32]);

impl fmt::Debug for EncryptionPublicKey {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(formatter, "EncryptionPublicKey({})", self.key_id())
    }
}

impl EncryptionPublicKey {
    pub fn from_bytes(bytes: [u8; 32]) -> EncryptionPublicKey {
        EncryptionPublicKey(bytes)
    }

    /// Parses the wire form (unpadded base64url of the 32 raw bytes).
    pub fn parse(text: &str) -> Result<EncryptionPublicKey, SealError> {
        let bytes = URL_SAFE_NO_PAD.decode(text).map_err(|_| SealError::PublicKey)?;
        bytes.try_into().map(EncryptionPublicKey).map_err(|_| SealError::PublicKey)
    }

    pub fn to_bytes(&self) -> [u8; 32] {
        self.0
    }

    /// The wire form.
    pub fn encode(&self) -> String {
        URL_SAFE_NO_PAD.encode(self.0)
    }

    pub fn key_id(&self) -> EncryptionKeyId {
        EncryptionKeyId(format!("x25519:{}", hex::encode(&Sha256::digest(self.0)[..8])))
    }
}

/// A node's X25519 private key. Wiped on drop; `Debug` shows only the key id.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct EncryptionKey([u8; 32]);

impl fmt::Debug for EncryptionKey {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(formatter, "EncryptionKey({})", self.public_key().key_id())
    }
}

impl EncryptionKey {
    /// The key made of 32 random bytes (the caller draws them), used as the X25519
    /// scalar; also how a stored key is loaded back.
    pub fn from_bytes(secret: [u8; 32]) -> EncryptionKey {
        EncryptionKey(secret)
    }

    /// The secret bytes, for the key file.
    pub fn to_bytes(&self) -> [u8; 32] {
        self.0
    }

    pub fn public_key(&self) -> EncryptionPublicKey {
        let public = Kem::sk_to_pk(&self.hpke_key());
        EncryptionPublicKey(public.to_bytes().into())
    }

    fn hpke_key(&self) -> <Kem as hpke::Kem>::PrivateKey {
        <Kem as hpke::Kem>::PrivateKey::from_bytes(&self.0).expect("every 32 bytes are an X25519 private key")
    }
}

/// A sealed box: the encapsulated ephemeral key and the ciphertext (with its tag).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sealed {
    pub enc: [u8; 32],
    pub ciphertext: Vec<u8>,
}

/// Seals `plaintext` to `recipient`, bound to `info` and `aad`. `randomness` must be
/// 32 fresh random bytes: the ephemeral key is drawn from them.
pub fn seal(
    recipient: &EncryptionPublicKey,
    info: &[u8],
    aad: &[u8],
    plaintext: &[u8],
    randomness: [u8; 32],
) -> Result<Sealed, SealError> {
    let mut generator = ChaCha20Rng::from_seed(randomness);
    seal_with(recipient, info, aad, plaintext, &mut generator)
}

/// [`seal`] with the generator given, so tests can fix the ephemeral key.
fn seal_with(
    recipient: &EncryptionPublicKey,
    info: &[u8],
    aad: &[u8],
    plaintext: &[u8],
    generator: &mut impl CryptoRng,
) -> Result<Sealed, SealError> {
    let recipient = <Kem as hpke::Kem>::PublicKey::from_bytes(&recipient.0).map_err(|_| SealError::PublicKey)?;
    let (enc, ciphertext) =
        hpke::single_shot_seal_with_rng::<Aead, Kdf, Kem>(&OpModeS::Base, &recipient, info, plaintext, aad, generator)
            .map_err(|_| SealError::Seal)?;
    Ok(Sealed { enc: enc.to_bytes().into(), ciphertext })
}

/// Opens a box sealed to `key` with the same `info` and `aad`.
pub fn open(key: &EncryptionKey, info: &[u8], aad: &[u8], sealed: &Sealed) -> Result<Vec<u8>, SealError> {
    let enc = <Kem as hpke::Kem>::EncappedKey::from_bytes(&sealed.enc).map_err(|_| SealError::Open)?;
    hpke::single_shot_open::<Aead, Kdf, Kem>(&OpModeR::Base, &key.hpke_key(), &enc, info, &sealed.ciphertext, aad)
        .map_err(|_| SealError::Open)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chacha20::rand_core::{TryCryptoRng, TryRng};
    use std::convert::Infallible;

    /// RFC 9180 A.2.1: DHKEM(X25519, HKDF-SHA256), HKDF-SHA256, ChaCha20Poly1305,
    /// base mode, first encryption (sequence number 0).
    const INFO: &str = "4f6465206f6e2061204772656369616e2055726e";
    const IKM_E: &str = "909a9b35d3dc4713a5e72a4da274b55d3d3821a37e5d099e74a647db583a904b";
    const PK_RM: &str = "4310ee97d88cc1f088a5576c77ab0cf5c3ac797f3d95139c6c84b5429c59662a";
    const SK_RM: &str = "8057991eef8f1f1af18f4a9491d16a1ce333f695d4db8e38da75975c4478e0fb";
    const ENC: &str = "1afa08d3dec047a643885163f1180476fa7ddb54c6a8029ea33f95796bf2ac4a";
    const PT: &str = "4265617574792069732074727574682c20747275746820626561757479";
    const AAD: &str = "436f756e742d30";
    const CT: &str = "1c5250d8034ec2b784ba2cfd69dbdb8af406cfe3ff938e131f0def8c8b60b4db21993c62ce81883d2dd1b51a28";

    fn bytes(text: &str) -> Vec<u8> {
        hex::decode(text).unwrap()
    }

    fn array(text: &str) -> [u8; 32] {
        bytes(text).try_into().unwrap()
    }

    /// Hands out fixed bytes: RFC 9180's `ikmE`, which the KEM turns into the
    /// ephemeral key with DeriveKeyPair exactly as it does random bytes.
    struct Replay(Vec<u8>);

    impl TryRng for Replay {
        type Error = Infallible;
        fn try_next_u32(&mut self) -> Result<u32, Infallible> {
            unreachable!("the KEM draws bytes")
        }
        fn try_next_u64(&mut self) -> Result<u64, Infallible> {
            unreachable!("the KEM draws bytes")
        }
        fn try_fill_bytes(&mut self, destination: &mut [u8]) -> Result<(), Infallible> {
            assert!(destination.len() <= self.0.len(), "the KEM drew more than ikmE");
            let rest = self.0.split_off(destination.len());
            destination.copy_from_slice(&self.0);
            self.0 = rest;
            Ok(())
        }
    }

    impl TryCryptoRng for Replay {}

    #[test]
    fn rfc_9180_a_2_1_base_mode_vector() {
        let key = EncryptionKey::from_bytes(array(SK_RM));
        assert_eq!(key.public_key(), EncryptionPublicKey::from_bytes(array(PK_RM)));
        let sealed =
            seal_with(&key.public_key(), &bytes(INFO), &bytes(AAD), &bytes(PT), &mut Replay(bytes(IKM_E))).unwrap();
        assert_eq!(sealed, Sealed { enc: array(ENC), ciphertext: bytes(CT) });
        assert_eq!(open(&key, &bytes(INFO), &bytes(AAD), &sealed).unwrap(), bytes(PT));
    }

    fn pair(seed: u8) -> (EncryptionKey, EncryptionPublicKey) {
        let key = EncryptionKey::from_bytes([seed; 32]);
        let public = key.public_key();
        (key, public)
    }

    #[test]
    fn round_trip_and_determinism() {
        let (key, public) = pair(7);
        let sealed = seal(&public, b"entente/test", b"aad", b"indicator--1", [9; 32]).unwrap();
        assert_eq!(sealed.ciphertext.len(), b"indicator--1".len() + 16);
        assert_eq!(open(&key, b"entente/test", b"aad", &sealed).unwrap(), b"indicator--1");
        assert_eq!(seal(&public, b"entente/test", b"aad", b"indicator--1", [9; 32]).unwrap(), sealed);
        let other = seal(&public, b"entente/test", b"aad", b"indicator--1", [10; 32]).unwrap();
        assert_ne!(other.enc, sealed.enc, "fresh randomness, fresh ephemeral key");
        assert_eq!(open(&key, b"entente/test", b"aad", &other).unwrap(), b"indicator--1");
        assert_eq!(open(&key, b"", b"", &seal(&public, b"", b"", b"", [1; 32]).unwrap()).unwrap(), b"");
    }

    #[test]
    fn the_wrong_key_and_any_alteration_fail_to_open() {
        let (key, public) = pair(7);
        let sealed = seal(&public, b"info", b"aad", b"secret", [3; 32]).unwrap();
        let (stranger, _) = pair(8);
        assert_eq!(open(&stranger, b"info", b"aad", &sealed), Err(SealError::Open));
        assert_eq!(open(&key, b"info", b"other aad", &sealed), Err(SealError::Open));
        assert_eq!(open(&key, b"other info", b"aad", &sealed), Err(SealError::Open));
        for index in 0..sealed.ciphertext.len() {
            let mut altered = sealed.clone();
            altered.ciphertext[index] ^= 1;
            assert_eq!(open(&key, b"info", b"aad", &altered), Err(SealError::Open), "ciphertext byte {index}");
        }
        let mut altered = sealed.clone();
        altered.enc[0] ^= 1;
        assert_eq!(open(&key, b"info", b"aad", &altered), Err(SealError::Open));
        let mut truncated = sealed.clone();
        truncated.ciphertext.truncate(10);
        assert_eq!(open(&key, b"info", b"aad", &truncated), Err(SealError::Open));
        let zero = EncryptionPublicKey::from_bytes([0; 32]);
        assert_eq!(seal(&zero, b"info", b"aad", b"secret", [3; 32]), Err(SealError::Seal));
    }

    #[test]
    fn wire_forms() {
        let (key, public) = pair(7);
        assert_eq!(EncryptionPublicKey::parse(&public.encode()), Ok(public));
        assert_eq!(public.encode().len(), 43);
        let id = public.key_id();
        assert_eq!(EncryptionKeyId::parse(id.as_str()), Ok(id.clone()));
        assert!(id.as_str().starts_with("x25519:") && id.as_str().len() == 23);
        for bad in ["ed25519:0123456789abcdef", "x25519:0123456789ABCDEF", "x25519:0123"] {
            assert!(EncryptionKeyId::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(EncryptionPublicKey::parse("AAAA"), Err(SealError::PublicKey));
        assert_eq!(
            EncryptionPublicKey::parse(&public.encode().replace('A', "+")).is_err(),
            public.encode().contains('A')
        );
        assert!(!format!("{key:?}").contains(&hex::encode(key.to_bytes())), "Debug must not show the secret");
    }
}
