//! Reviewing together through a facility's own relay: a real iroh relay server (the
//! `iroh-relay` crate's server, admitting only holders of an access token, as a facility would
//! run it) on this machine's loopback, and `earmark` participants told to send everything
//! through it (`--relay-only`: they have no direct network path at all, so whatever reaches the
//! other side went through the relay).

use crate::together::{Participant, sync_file};
use iroh_relay::server::{Access, AccessControl, ClientRequest, RelayConfig, Server, ServerConfig};
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Admits a client only with the facility's token; counts who was let in and who was not.
#[derive(Debug)]
struct TokenOnly {
    token: String,
    admitted: Arc<AtomicUsize>,
    refused: Arc<AtomicUsize>,
}

impl AccessControl for TokenOnly {
    async fn on_connect(&self, request: &ClientRequest) -> Access {
        if request.auth_token().as_deref() == Some(self.token.as_str()) {
            self.admitted.fetch_add(1, Ordering::Relaxed);
            Access::Allow
        } else {
            self.refused.fetch_add(1, Ordering::Relaxed);
            Access::Deny {
                reason: Some("not this facility's token".into()),
            }
        }
    }
}

/// A relay server on loopback, plain HTTP (as `iroh-relay --dev` serves), running until dropped.
struct LocalRelay {
    url: String,
    admitted: Arc<AtomicUsize>,
    refused: Arc<AtomicUsize>,
    server: Option<Server>,
    rt: tokio::runtime::Runtime,
}

impl LocalRelay {
    fn start(token: &str) -> Self {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("test-relay")
            .enable_all()
            .build()
            .expect("a runtime for the relay");
        let admitted = Arc::new(AtomicUsize::new(0));
        let refused = Arc::new(AtomicUsize::new(0));
        let access = TokenOnly {
            token: token.to_owned(),
            admitted: admitted.clone(),
            refused: refused.clone(),
        };
        let server = rt.block_on(async {
            let mut relay = RelayConfig::new(SocketAddr::from(([127, 0, 0, 1], 0)));
            relay.access = Arc::new(access);
            let mut config = ServerConfig::default();
            config.relay = Some(relay);
            Server::spawn(config).await.expect("the relay starts")
        });
        let addr = server.http_addr().expect("a plain HTTP relay");
        let url = format!("http://{addr}/");
        eprintln!("local relay at {url}");
        Self {
            url,
            admitted,
            refused,
            server: Some(server),
            rt,
        }
    }
}

impl Drop for LocalRelay {
    fn drop(&mut self) {
        if let Some(server) = self.server.take() {
            let _ = self.rt.block_on(server.shutdown());
        }
    }
}

/// What an invitation says of where its host can be reached (its JSON, after the prefix).
fn invitation_addrs(invitation: &str) -> String {
    use base64::Engine as _;
    let body = invitation
        .strip_prefix("earmark-invite:")
        .expect("an earmark invitation");
    let json = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(body.trim_end_matches('='))
        .expect("base64");
    let v: serde_json::Value = serde_json::from_slice(&json).expect("JSON");
    v["host"]["addrs"].to_string()
}

#[test]
fn three_reviewers_through_a_facility_relay_only_join_follow_and_share_notes() {
    let _device = crate::run::shared();
    let relay = LocalRelay::start("facility-token-7");
    let file = sync_file();
    let via = ["--relay", relay.url.as_str(), "--relay-only"];
    let token = [("EARMARK_RELAY_TOKEN", "facility-token-7")];
    let host_role = [&["--host"][..], &via[..]].concat();
    let mut host = Participant::start_with("Jo", &file, &host_role, "Review", &token);
    let line = host.wait_for(|l| l.starts_with("invitation: "), 30);
    let invitation = line["invitation: ".len()..].to_owned();
    // The invitation names the relay and no network address of the host's.
    let addrs = invitation_addrs(&invitation);
    assert!(addrs.contains("Relay"), "{addrs}");
    assert!(
        !addrs.contains("Ip"),
        "the host's address is in the invitation: {addrs}"
    );

    let guest_role = [&["--join", invitation.as_str()][..], &via[..]].concat();
    let mut guest = Participant::start_with("도윤", &file, &guest_role, "Review", &token);
    guest.wait_for(|l| l.starts_with("joined Jo's review"), 30);
    // Host and guest both went through the relay's door, with the token.
    assert!(relay.admitted.load(Ordering::Relaxed) >= 2);

    // A third participant, the same way in.
    let mut third = Participant::start_with("Ana", &file, &guest_role, "Review", &token);
    third.wait_for(|l| l.starts_with("joined Jo's review"), 30);
    assert!(relay.admitted.load(Ordering::Relaxed) >= 3);

    guest.forget();
    third.forget();
    host.type_line("seek 40");
    assert_eq!(guest.paused_frame(15), 40);
    assert_eq!(third.paused_frame(15), 40);
    host.forget();
    guest.type_line("note 소리가 너무 작아요");
    host.wait_for(|l| l == "note: 도윤 at frame 40: 소리가 너무 작아요", 10);
    third.wait_for(|l| l == "note: 도윤 at frame 40: 소리가 너무 작아요", 10);
    host.type_line("quit");
    assert_eq!(host.exit_code(15), Some(0));
    assert!(host.notes_json().contains("소리가 너무 작아요"));
}

#[test]
fn a_relay_that_refuses_the_token_is_said_plainly() {
    let _device = crate::run::shared();
    let relay = LocalRelay::start("facility-token-7");
    let file = sync_file();
    let role = ["--host", "--relay", relay.url.as_str(), "--relay-only"];
    let mut host = Participant::start_with(
        "Jo",
        &file,
        &role,
        "Review",
        &[("EARMARK_RELAY_TOKEN", "last-years-token")],
    );
    let said = host.wait_for(|l| l.contains("refused this computer"), 30);
    assert!(said.contains(&relay.url), "{said}");
    assert!(said.contains("EARMARK_RELAY_TOKEN"), "{said}");
    assert_ne!(host.exit_code(15), Some(0));
    assert!(relay.refused.load(Ordering::Relaxed) >= 1);
    assert_eq!(relay.admitted.load(Ordering::Relaxed), 0);
}
