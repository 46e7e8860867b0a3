//! The invitation a host pastes into a chat: where to reach the host (its key and addresses),
//! a random secret the guest must present, and when it stops working — signed with the host's
//! key, so neither the address nor the expiry can be altered. The connection itself is
//! authenticated by the keys (QUIC/TLS 1.3), so a guest reaches only the invitation's host.

use super::super::TogetherError;
use base64::Engine;
use iroh::{EndpointAddr, SecretKey, Signature};
use serde::{Deserialize, Serialize};

/// What every invitation starts with.
const PREFIX: &str = "earmark-invite:";

/// An invitation to one hosted review.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Invitation {
    /// Where the host is.
    pub host: EndpointAddr,
    /// The host's name, as shown to the guest before joining.
    pub host_name: String,
    /// 128 random bits, hex; the host changes them to revoke every invitation given.
    pub secret: String,
    /// After this (Unix milliseconds) the host lets nobody in with it.
    pub expires_ms: i64,
    /// The host's signature over all of the above, hex.
    pub signature: String,
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok())
        .collect()
}

/// A fresh random secret, hex.
pub fn new_secret() -> Result<String, TogetherError> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).map_err(|e| TogetherError::Random(e.to_string()))?;
    Ok(hex(&bytes))
}

impl Invitation {
    fn signed_bytes(host: &EndpointAddr, name: &str, secret: &str, expires_ms: i64) -> Vec<u8> {
        let addr = serde_json::to_vec(host).unwrap_or_default();
        let mut m = b"earmark invitation v1\n".to_vec();
        for part in [&addr[..], name.as_bytes(), secret.as_bytes()] {
            m.extend_from_slice(&(part.len() as u64).to_le_bytes());
            m.extend_from_slice(part);
        }
        m.extend_from_slice(&expires_ms.to_le_bytes());
        m
    }

    /// A signed invitation to `host`.
    pub fn new(
        key: &SecretKey,
        host: EndpointAddr,
        host_name: &str,
        secret: &str,
        expires_ms: i64,
    ) -> Self {
        let sig = key.sign(&Self::signed_bytes(&host, host_name, secret, expires_ms));
        Self {
            host,
            host_name: host_name.to_owned(),
            secret: secret.to_owned(),
            expires_ms,
            signature: hex(&sig.to_bytes()),
        }
    }

    /// The text to paste.
    pub fn encode(&self) -> String {
        let json = serde_json::to_vec(self).unwrap_or_default();
        format!(
            "{PREFIX}{}",
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(json)
        )
    }

    /// Reads a pasted invitation (spaces and line breaks a chat adds are ignored) and checks
    /// its signature and expiry at `now_ms`.
    pub fn decode(text: &str, now_ms: i64) -> Result<Self, TogetherError> {
        let text: String = text.chars().filter(|c| !c.is_whitespace()).collect();
        let body = text.strip_prefix(PREFIX).ok_or(TogetherError::Invitation(
            "it does not start with \"earmark-invite:\"",
        ))?;
        let json = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(body)
            .map_err(|_| TogetherError::Invitation("it was cut short or changed in the chat"))?;
        let inv: Invitation = serde_json::from_slice(&json)
            .map_err(|_| TogetherError::Invitation("it is not an invitation Earmark made"))?;
        let sig = unhex(&inv.signature)
            .and_then(|b| <[u8; 64]>::try_from(b).ok())
            .map(|b| Signature::from_bytes(&b))
            .ok_or(TogetherError::Invitation("its signature is damaged"))?;
        inv.host
            .id
            .verify(
                &Self::signed_bytes(&inv.host, &inv.host_name, &inv.secret, inv.expires_ms),
                &sig,
            )
            .map_err(|_| TogetherError::Invitation("its signature does not match (altered?)"))?;
        if now_ms >= inv.expires_ms {
            return Err(TogetherError::Expired {
                host: inv.host_name.clone(),
            });
        }
        Ok(inv)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_invitation_reads_back_and_tampering_or_expiry_is_refused() {
        let key = SecretKey::generate();
        let addr =
            EndpointAddr::new(key.public()).with_ip_addr("127.0.0.1:4433".parse().expect("addr"));
        let secret = new_secret().expect("secret");
        assert_eq!(secret.len(), 32);
        let inv = Invitation::new(&key, addr, "Jo Müller 監督", &secret, 10_000);
        let text = inv.encode();
        // Chats wrap long lines.
        let wrapped: String = text
            .chars()
            .enumerate()
            .flat_map(|(i, c)| (i % 60 == 59).then_some('\n').into_iter().chain([c]))
            .collect();
        assert_eq!(Invitation::decode(&wrapped, 9_999).as_ref(), Ok(&inv));
        assert!(matches!(
            Invitation::decode(&text, 10_000),
            Err(TogetherError::Expired { .. })
        ));
        // A longer life written in by hand breaks the signature.
        let mut forged = inv.clone();
        forged.expires_ms = i64::MAX;
        assert!(matches!(
            Invitation::decode(&forged.encode(), 0),
            Err(TogetherError::Invitation(why)) if why.contains("signature")
        ));
        assert!(Invitation::decode("hello", 0).is_err());
        assert!(Invitation::decode(&text[..text.len() - 9], 0).is_err());
    }
}
