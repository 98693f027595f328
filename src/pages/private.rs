//! The cryptography of private pages (SPEC §8), as plain functions over RustCrypto's crates:
//! the secret, each person's key and each page's file name (HKDF-SHA256, salted and labelled),
//! and a page sealed with AES-256-GCM under a fresh page key that is wrapped (AES-256-GCM
//! again) for each person who may open it. Nothing here is hand-made cryptography.

use aes_gcm::aead::rand_core::RngCore;
use aes_gcm::aead::{Aead, AeadCore, KeyInit, OsRng, Payload};
use aes_gcm::{Aes256Gcm, Key, Nonce};
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use hkdf::Hkdf;
use sha2::Sha256;

/// The environment variable that holds the secret.
pub const SECRET_ENV: &str = "RUBRIC_PAGES_SECRET";
/// The fewest bytes a secret may have.
pub const MIN_SECRET_BYTES: usize = 32;
/// HKDF's salt: fixed, so that keys stay the same from render to render.
const SALT: &[u8] = b"rubric private pages v1 salt";
/// HKDF's labels (the `info`): a person's key and a page's file name can never be the same
/// bytes, nor be confused with another use of the secret.
const PERSON_LABEL: &[u8] = b"rubric private pages v1: person key\0";
const NAME_LABEL: &[u8] = b"rubric private pages v1: page file name\0";
/// The smallest padded page (bytes of HTML); larger pages are padded to the next power of two.
pub const MIN_BUCKET: usize = 32 * 1024;
/// AES-GCM's nonce and tag sizes.
const NONCE: usize = 12;
const TAG: usize = 16;

/// The site's secret: at least [`MIN_SECRET_BYTES`] bytes.
#[derive(Clone)]
pub struct Secret(Vec<u8>);

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(..)")
    }
}

/// A person's 32-byte key.
pub type PersonKey = [u8; 32];

/// Why there is no usable secret.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SecretError {
    #[error(
        "private pages need the secret {SECRET_ENV}, which is not set. Make one with \
         `openssl rand -base64 32` and set it (in CI: a secret named {SECRET_ENV}); \
         nothing was written"
    )]
    Missing,
    #[error(
        "{SECRET_ENV} is neither hex nor base64. Make one with `openssl rand -base64 32`; \
         nothing was written"
    )]
    Malformed,
    #[error(
        "{SECRET_ENV} is {0} bytes; it must be at least {MIN_SECRET_BYTES} random bytes. Make \
         one with `openssl rand -base64 32`; nothing was written"
    )]
    TooShort(usize),
}

/// Why a page could not be sealed.
#[derive(Debug, thiserror::Error)]
#[error("cannot encrypt a page: {0}")]
pub struct SealError(String);

/// Reads the secret: hex (an even number of hex digits) or base64 (standard or URL-safe, with
/// or without padding); surrounding white space is ignored.
pub fn parse_secret(text: Option<&str>) -> Result<Secret, SecretError> {
    let text = text.map(str::trim).filter(|t| !t.is_empty());
    let Some(text) = text else {
        return Err(SecretError::Missing);
    };
    let bytes = decode_hex(text)
        .or_else(|| decode_base64(text))
        .ok_or(SecretError::Malformed)?;
    if bytes.len() < MIN_SECRET_BYTES {
        return Err(SecretError::TooShort(bytes.len()));
    }
    Ok(Secret(bytes))
}

fn decode_hex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) || !text.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&text[i..i + 2], 16).ok())
        .collect()
}

fn decode_base64(text: &str) -> Option<Vec<u8>> {
    let unpadded = text.trim_end_matches('=');
    let standard = unpadded.replace('-', "+").replace('_', "/");
    base64::engine::general_purpose::STANDARD_NO_PAD
        .decode(standard)
        .ok()
}

/// HKDF-SHA256 of the secret with the salt and `label` + `part`, `N` bytes.
fn derive<const N: usize>(secret: &Secret, label: &[u8], part: &str) -> [u8; N] {
    let hk = Hkdf::<Sha256>::new(Some(SALT), &secret.0);
    let mut out = [0u8; N];
    let info = [label, part.as_bytes()].concat();
    hk.expand(&info, &mut out)
        .expect("N is far below HKDF-SHA256's limit of 8160 bytes");
    out
}

/// A person's key: HKDF-SHA256 of the secret, labelled with the person's id.
pub fn person_key(secret: &Secret, person: &str) -> PersonKey {
    derive(secret, PERSON_LABEL, person)
}

/// A key as people type it and links carry it: 43 characters of base64url.
pub fn key_text(key: &PersonKey) -> String {
    URL_SAFE_NO_PAD.encode(key)
}

/// A page's published file name: 32 hex digits from HKDF-SHA256 of the secret, labelled with
/// the page's plain path (`agents/alice.html`), and `.html`. The same for the same secret.
pub fn page_name(secret: &Secret, plain_path: &str) -> String {
    let bytes: [u8; 16] = derive(secret, NAME_LABEL, plain_path);
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!("{hex}.html")
}

/// The size a page of `len` bytes is padded to: [`MIN_BUCKET`], else the next power of two.
pub fn bucket(len: usize) -> usize {
    len.max(MIN_BUCKET).next_power_of_two()
}

/// A sealed page: the published name it is bound to, one wrapped page key per slot (nonce,
/// ciphertext and tag), and the page (nonce, ciphertext and tag), all base64.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Sealed {
    pub v: u32,
    pub page: String,
    pub slots: Vec<String>,
    pub data: String,
}

/// AES-256-GCM with a fresh random nonce: nonce ‖ ciphertext ‖ tag.
fn encrypt(key: &[u8; 32], plain: &[u8], aad: &[u8]) -> Result<Vec<u8>, SealError> {
    let cipher = Aes256Gcm::new(Key::<Aes256Gcm>::from_slice(key));
    let nonce = Aes256Gcm::generate_nonce(&mut OsRng);
    let sealed = cipher
        .encrypt(&nonce, Payload { msg: plain, aad })
        .map_err(|e| SealError(e.to_string()))?;
    Ok([nonce.as_slice(), &sealed].concat())
}

fn decrypt(key: &[u8; 32], blob: &[u8], aad: &[u8]) -> Option<Vec<u8>> {
    if blob.len() < NONCE + TAG {
        return None;
    }
    let cipher = Aes256Gcm::new(Key::<Aes256Gcm>::from_slice(key));
    let (nonce, rest) = blob.split_at(NONCE);
    cipher
        .decrypt(Nonce::from_slice(nonce), Payload { msg: rest, aad })
        .ok()
}

/// A sealed page before encoding: the wrapped page keys (one per slot) and the page, each as
/// nonce ‖ ciphertext ‖ tag.
pub struct SealedBytes {
    pub slots: Vec<Vec<u8>>,
    pub data: Vec<u8>,
}

/// Seals `html` as the page published as `page`: padded with spaces to its [`bucket`],
/// encrypted under a fresh page key, that key wrapped for each of `readers`, and random slots
/// added up to `slots` so that every page has as many (a slot says nothing of who it is for).
/// The page is encrypted in place: `html`'s buffer becomes the ciphertext.
pub fn seal_bytes(
    page: &str,
    html: String,
    readers: &[PersonKey],
    slots: usize,
) -> Result<SealedBytes, SealError> {
    use aes_gcm::aead::AeadInPlace;
    let page_key: [u8; 32] = Aes256Gcm::generate_key(&mut OsRng).into();
    let aad = page.as_bytes();
    let nonce = Aes256Gcm::generate_nonce(&mut OsRng);
    let len = bucket(html.len());
    let mut data = Vec::with_capacity(NONCE + len + TAG);
    data.extend_from_slice(&nonce);
    data.extend_from_slice(html.as_bytes());
    drop(html);
    data.resize(NONCE + len, b' ');
    let tag = Aes256Gcm::new(Key::<Aes256Gcm>::from_slice(&page_key))
        .encrypt_in_place_detached(&nonce, aad, &mut data[NONCE..])
        .map_err(|e| SealError(e.to_string()))?;
    data.extend_from_slice(&tag);
    let mut wrapped = Vec::with_capacity(readers.len().max(slots));
    for key in readers {
        wrapped.push(encrypt(key, &page_key, aad)?);
    }
    while wrapped.len() < slots {
        let mut dummy = vec![0u8; NONCE + 32 + TAG];
        OsRng.fill_bytes(&mut dummy);
        wrapped.push(dummy);
    }
    Ok(SealedBytes {
        slots: wrapped,
        data,
    })
}

/// [`seal_bytes`], base64-encoded as the published page carries it.
pub fn seal(
    page: &str,
    html: &str,
    readers: &[PersonKey],
    slots: usize,
) -> Result<Sealed, SealError> {
    let b = seal_bytes(page, html.to_string(), readers, slots)?;
    Ok(Sealed {
        v: 1,
        page: page.to_string(),
        slots: b.slots.iter().map(|s| STANDARD.encode(s)).collect(),
        data: STANDARD.encode(&b.data),
    })
}

/// The sealed page as its JSON text (as `serde_json` writes [`Sealed`]), appended to `out`
/// with the base64 encoded in place: no copy of the page is made on the way.
pub fn write_json(out: &mut String, page: &str, sealed: &SealedBytes) {
    out.push_str("{\"v\":1,\"page\":");
    out.push_str(&serde_json::to_string(page).unwrap_or_default());
    out.push_str(",\"slots\":[");
    for (i, s) in sealed.slots.iter().enumerate() {
        out.push_str(if i == 0 { "\"" } else { ",\"" });
        STANDARD.encode_string(s, out);
        out.push('"');
    }
    out.push_str("],\"data\":\"");
    STANDARD.encode_string(&sealed.data, out);
    out.push_str("\"}");
}

/// Opens a sealed page with a person's key, as the browser does: the page's HTML (padding
/// removed), or `None` when the key opens none of its slots.
pub fn open(sealed: &Sealed, key: &PersonKey) -> Option<String> {
    let aad = sealed.page.as_bytes();
    let page_key = sealed.slots.iter().find_map(|s| {
        let blob = STANDARD.decode(s).ok()?;
        decrypt(key, &blob, aad)
    })?;
    let page_key: [u8; 32] = page_key.try_into().ok()?;
    let data = STANDARD.decode(&sealed.data).ok()?;
    let plain = decrypt(&page_key, &data, aad)?;
    String::from_utf8(plain)
        .ok()
        .map(|s| s.trim_end_matches(' ').to_string())
}

/// `'sha256-…'` of an inline script, for a content security policy.
pub fn script_hash(script: &str) -> String {
    use sha2::Digest;
    format!(
        "'sha256-{}'",
        STANDARD.encode(Sha256::digest(script.as_bytes()))
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secret() -> Secret {
        parse_secret(Some(
            "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
        ))
        .unwrap()
    }

    #[test]
    fn secrets_in_hex_or_base64_and_too_short_or_missing() {
        let hex = secret();
        let b64 = parse_secret(Some(" AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8= \n")).unwrap();
        assert_eq!(hex.0, b64.0);
        let url = parse_secret(Some("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8")).unwrap();
        assert_eq!(hex.0, url.0);
        assert_eq!(parse_secret(None).unwrap_err(), SecretError::Missing);
        assert_eq!(parse_secret(Some("  ")).unwrap_err(), SecretError::Missing);
        assert_eq!(
            parse_secret(Some("00010203")).unwrap_err(),
            SecretError::TooShort(4)
        );
        assert_eq!(
            parse_secret(Some("not a secret!")).unwrap_err(),
            SecretError::Malformed
        );
        // 31 bytes: one short.
        assert_eq!(
            parse_secret(Some(&"ab".repeat(31))).unwrap_err(),
            SecretError::TooShort(31)
        );
    }

    /// Known answers: the derivation must never change, or every key handed out and every
    /// published link would break. (Checked against an independent HKDF-SHA256 written with
    /// Python's `hmac` module, RFC 5869.)
    #[test]
    fn person_keys_and_page_names_known_answers() {
        let s = secret();
        assert_eq!(
            key_text(&person_key(&s, "alice")),
            "sUNMmPbkt6sPMHnm7JQusYOtsDUTXAnDbkbaS9G1Fo8"
        );
        assert_eq!(
            key_text(&person_key(&s, "kadri")),
            "hMGkAO6PEz3xLRNU2TwxslBUBCaGdyLKtcsbbLsQ7qo"
        );
        assert_eq!(
            page_name(&s, "agents/alice.html"),
            "8e9e3fdae16b7515ff61c60c972e7bae.html"
        );
        assert_eq!(
            page_name(&s, "calibration.html"),
            "a5871d5fc9350fe5655d2df9da62be92.html"
        );
    }

    /// HKDF-SHA256 itself, RFC 5869 test case 1, through the same crate calls.
    #[test]
    fn hkdf_rfc5869_case_1() {
        let ikm = [0x0b; 22];
        let salt: Vec<u8> = (0x00..=0x0c).collect();
        let info: Vec<u8> = (0xf0..=0xf9).collect();
        let mut okm = [0u8; 42];
        Hkdf::<Sha256>::new(Some(&salt), &ikm)
            .expand(&info, &mut okm)
            .unwrap();
        let hex: String = okm.iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(
            hex,
            "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865"
        );
    }

    #[test]
    fn keys_and_names_differ_by_person_path_and_secret() {
        let s = secret();
        let other = parse_secret(Some(&"ff".repeat(32))).unwrap();
        assert_ne!(person_key(&s, "alice"), person_key(&s, "alicE"));
        assert_ne!(person_key(&s, "alice"), person_key(&other, "alice"));
        assert_eq!(person_key(&s, "alice"), person_key(&s, "alice"));
        assert_ne!(
            page_name(&s, "agents/a.html"),
            page_name(&other, "agents/a.html")
        );
        assert_eq!(
            page_name(&s, "agents/a.html"),
            page_name(&s, "agents/a.html")
        );
        // The labels keep a name from ever being a key's bytes.
        let name_bytes: [u8; 16] = derive(&s, NAME_LABEL, "alice");
        assert_ne!(name_bytes[..], person_key(&s, "alice")[..16]);
        assert!(!page_name(&s, "agents/alice.html").contains("alice"));
    }

    #[test]
    fn sealed_pages_open_only_for_their_readers() {
        let s = secret();
        let (alice, bob, lead) = (
            person_key(&s, "alice"),
            person_key(&s, "bob"),
            person_key(&s, "lead"),
        );
        let sealed = seal("p.html", "<p>Alice's page</p>", &[alice, lead], 3).unwrap();
        assert_eq!(sealed.slots.len(), 3);
        assert_eq!(
            open(&sealed, &alice).as_deref(),
            Some("<p>Alice's page</p>")
        );
        assert_eq!(open(&sealed, &lead).as_deref(), Some("<p>Alice's page</p>"));
        assert_eq!(open(&sealed, &bob), None);
        // Bound to its name: moved to another name, it opens for no one.
        let moved = Sealed {
            page: "q.html".into(),
            ..sealed.clone()
        };
        assert_eq!(open(&moved, &alice), None);
        // A changed byte of the page is refused, not shown.
        let mut data = STANDARD.decode(&sealed.data).unwrap();
        data[NONCE + 3] ^= 1;
        let tampered = Sealed {
            data: STANDARD.encode(data),
            ..sealed
        };
        assert_eq!(open(&tampered, &alice), None);
    }

    #[test]
    fn fresh_keys_and_nonces_every_time_and_sizes_in_buckets() {
        let s = secret();
        let k = person_key(&s, "alice");
        let a = seal("p.html", "same", &[k], 1).unwrap();
        let b = seal("p.html", "same", &[k], 1).unwrap();
        assert_ne!(a.data, b.data);
        assert_ne!(a.slots, b.slots);
        let short = seal("p.html", "x", &[k], 2).unwrap();
        let longer = seal("p.html", &"y".repeat(20_000), &[k], 2).unwrap();
        assert_eq!(short.data.len(), longer.data.len());
        assert_eq!(bucket(1), MIN_BUCKET);
        assert_eq!(bucket(MIN_BUCKET + 1), 2 * MIN_BUCKET);
        assert_eq!(bucket(100_000), 131_072);
    }

    #[test]
    fn written_json_reads_back_as_sealed() {
        let key = person_key(&secret(), "alice");
        let b = seal_bytes("p.html", "<p>x</p>".to_string(), &[key], 2).unwrap();
        let mut json = String::new();
        write_json(&mut json, "p.html", &b);
        let sealed: Sealed = serde_json::from_str(&json).unwrap();
        assert_eq!(sealed.slots.len(), 2);
        assert_eq!(open(&sealed, &key).as_deref(), Some("<p>x</p>"));
    }

    #[test]
    fn script_hashes_are_csp_sha256() {
        // `echo -n "alert(1)" | openssl dgst -sha256 -binary | base64`
        assert_eq!(
            script_hash("alert(1)"),
            "'sha256-bhHHL3z2vDgxUt0W3dWQOrprscmda2Y5pLsLg4GF+pI='"
        );
    }
}
