//! The network under a shared review: iroh endpoints (QUIC, keys as identities, hole punching
//! and relays when asked), the only place iroh and tokio are used. A star: every guest connects
//! to the host, which relays what one says to the others — simpler than gossip for the handful
//! of people in a review, and removal is enforceable (a gossip swarm cannot shut a member out).
//!
//! It runs on its own thread ("together-net", a single-threaded tokio runtime) and talks to the
//! rest of Earmark by plain channels: [`Link::send`] in, [`LinkEvent`]s out. Each message is one
//! QUIC unidirectional stream, read whole up to [`MAX_MESSAGE_BYTES`]; a connection's streams
//! are read in the order they were opened, so messages arrive in the order they were sent.

pub mod invite;

pub use invite::{Invitation, new_secret};

use super::TogetherError;
use super::message::{MAX_MESSAGE_BYTES, Message};
use crate::time::monotonic;
use iroh::endpoint::{Connection, IdleTimeout, QuicTransportConfig, VarInt, presets};
use iroh::{Endpoint, EndpointAddr, EndpointId, RelayMode, SecretKey};
use std::collections::HashMap;
use std::sync::mpsc;
use tokio::sync::mpsc as tmpsc;

/// The application protocol spoken on the connection.
pub const ALPN: &[u8] = b"earmark/together/1";
/// Keep-alives on an idle connection, and how long silence lasts before it is given up.
const KEEP_ALIVE: std::time::Duration = std::time::Duration::from_secs(1);
const GIVE_UP: std::time::Duration = std::time::Duration::from_secs(5);

/// A participant at the other end of a connection, by their key.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct PeerId(EndpointId);

impl PeerId {
    /// The key's short form, for people and the access log.
    pub fn short(&self) -> String {
        self.0.fmt_short().to_string()
    }

    /// A participant with a fresh key, for tests of the session logic without a network.
    #[cfg(test)]
    pub(crate) fn made_up() -> Self {
        Self(SecretKey::generate().public())
    }
}

/// Which relay helps when two participants cannot reach each other directly.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Relay {
    /// None: direct connections only (a LAN, or this machine).
    None,
    /// iroh's public relays (they see encrypted traffic, keys and addresses only).
    Public,
    /// A relay of the facility's own (`iroh-relay`).
    Own {
        url: String,
        /// The relay's access token (its `access.shared_token`), if it asks for one.
        token: Option<String>,
        /// Everything through the relay, never directly: no participant learns another's
        /// network address (the price is the relay's extra hop).
        only: bool,
    },
}

/// Where a facility relay's access token is read from: not the command line, which other
/// users of the machine can see.
pub const RELAY_TOKEN_ENV: &str = "EARMARK_RELAY_TOKEN";

/// How long a participant using a facility relay waits to reach it before saying it cannot,
/// and iroh's public ones before going on without.
const RELAY_PATIENCE: std::time::Duration = std::time::Duration::from_secs(10);
const PUBLIC_PATIENCE: std::time::Duration = std::time::Duration::from_secs(4);

impl Relay {
    /// From the command line's or the window's words: `none`, `public` or a relay URL (its
    /// access token, if any, from [`RELAY_TOKEN_ENV`]).
    pub fn parse(text: &str) -> Result<Self, String> {
        match text.trim() {
            "none" => Ok(Self::None),
            "public" => Ok(Self::Public),
            url if url.starts_with("http://") || url.starts_with("https://") => Ok(Self::Own {
                url: url.to_owned(),
                token: std::env::var(RELAY_TOKEN_ENV)
                    .ok()
                    .filter(|t| !t.trim().is_empty()),
                only: false,
            }),
            other => Err(format!(
                "the relay is public, none or a relay URL, not {other:?}"
            )),
        }
    }

    /// The same relay, everything sent through it (see [`Relay::Own`]'s `only`).
    pub fn relay_only(self) -> Result<Self, String> {
        match self {
            Self::Own { url, token, .. } => Ok(Self::Own {
                url,
                token,
                only: true,
            }),
            _ => Err("only through a relay needs the URL of your facility's own relay".into()),
        }
    }
}

/// `EARMARK_FAULT_DIAL_VIA=IP:PORT`: a guest reaches the host only at that address (the host
/// still authenticated by its key), for the benchmark that puts a delaying, lossy UDP proxy in
/// the path — this kernel has no `tc netem` (see [`fault_bind`] for keeping iroh on it).
fn dial_via(host: EndpointAddr) -> EndpointAddr {
    match std::env::var("EARMARK_FAULT_DIAL_VIA")
        .ok()
        .and_then(|a| a.trim().parse::<std::net::SocketAddr>().ok())
    {
        Some(via) => EndpointAddr::new(host.id).with_ip_addr(via),
        None => host,
    }
}

/// `EARMARK_FAULT_BIND=IP:PORT`: the endpoint listens there only. With the host on `[::1]` and
/// a guest on `127.0.0.1` (and [`dial_via`] a proxy bridging the two), the guest has no way to
/// the host's own address, which iroh would otherwise learn over the connection and move to.
fn fault_bind() -> Option<std::net::SocketAddr> {
    std::env::var("EARMARK_FAULT_BIND")
        .ok()
        .and_then(|a| a.trim().parse().ok())
}

/// How long a closing link waits for its last messages to be read.
const GOODBYE: std::time::Duration = std::time::Duration::from_secs(2);

/// What the network says.
#[derive(Clone, Debug, PartialEq)]
pub enum LinkEvent {
    /// A connection is up; nothing it says is trusted until the session has checked it.
    Connected(PeerId),
    /// A message and when it arrived (monotonic ns, stamped as it was read).
    Message(PeerId, Message, i64),
    /// A message that was dropped, and why (logged, never acted on).
    Dropped(PeerId, String),
    /// The connection ended, and why.
    Closed(PeerId, String),
}

enum Command {
    Send(PeerId, Message),
    Close(PeerId, String),
    Shutdown,
}

/// What a connection's writer does next.
enum Out {
    Message(Message),
    /// Close once everything before has reached the other end (a refusal must be read before
    /// the door shuts).
    Close(String),
}

/// One end of a shared review's network.
pub struct Link {
    commands: tmpsc::UnboundedSender<Command>,
    events: mpsc::Receiver<LinkEvent>,
    thread: Option<std::thread::JoinHandle<()>>,
    key: SecretKey,
    addr: EndpointAddr,
}

impl Link {
    /// Starts an endpoint that accepts guests.
    pub fn host(relay: &Relay) -> Result<Self, TogetherError> {
        Self::start(relay, None)
    }

    /// Starts an endpoint and connects to the invitation's host.
    pub fn join(relay: &Relay, invitation: &Invitation) -> Result<Self, TogetherError> {
        Self::start(relay, Some(dial_via(invitation.host.clone())))
    }

    fn start(relay: &Relay, dial: Option<EndpointAddr>) -> Result<Self, TogetherError> {
        let relay_mode = match relay {
            Relay::None => RelayMode::Disabled,
            Relay::Public => RelayMode::Default,
            Relay::Own { url, token, .. } => {
                let url: iroh::RelayUrl = url
                    .parse()
                    .map_err(|_| TogetherError::Relay(format!("not a relay URL: {url}")))?;
                let map = iroh::RelayMap::from(url);
                RelayMode::Custom(match token {
                    Some(t) => map.with_auth_token(t.clone()),
                    None => map,
                })
            }
        };
        let only = matches!(relay, Relay::Own { only: true, .. });
        let key = SecretKey::generate();
        let (commands, rx_commands) = tmpsc::unbounded_channel();
        let (tx_events, events) = mpsc::channel();
        let (tx_ready, rx_ready) = mpsc::channel();
        let thread_key = key.clone();
        let thread = std::thread::Builder::new()
            .name("together-net".into())
            .spawn(move || {
                let rt = match tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                {
                    Ok(rt) => rt,
                    Err(e) => {
                        let _ = tx_ready.send(Err(TogetherError::Network(e.to_string())));
                        return;
                    }
                };
                rt.block_on(run(
                    thread_key,
                    relay_mode,
                    only,
                    dial,
                    rx_commands,
                    tx_events,
                    tx_ready,
                ));
            })
            .map_err(|e| TogetherError::Network(format!("no network thread: {e}")))?;
        let addr = rx_ready
            .recv()
            .map_err(|_| TogetherError::Network("the network thread stopped".into()))??;
        Ok(Self {
            commands,
            events,
            thread: Some(thread),
            key,
            addr,
        })
    }

    /// This endpoint's address (its key and where it listens).
    pub fn addr(&self) -> EndpointAddr {
        self.addr.clone()
    }

    /// This endpoint's key, which signs invitations.
    pub fn key(&self) -> &SecretKey {
        &self.key
    }

    /// This endpoint, as the others see it.
    pub fn me(&self) -> PeerId {
        PeerId(self.key.public())
    }

    /// Sends `message` to `peer` (in order with everything sent to it before).
    pub fn send(&self, peer: PeerId, message: Message) {
        let _ = self.commands.send(Command::Send(peer, message));
    }

    /// Ends the connection to `peer`, telling it `reason`.
    pub fn close(&self, peer: PeerId, reason: &str) {
        let _ = self.commands.send(Command::Close(peer, reason.to_owned()));
    }

    /// The next event, waiting up to `timeout`.
    pub fn next_event(&self, timeout: std::time::Duration) -> Option<LinkEvent> {
        self.events.recv_timeout(timeout).ok()
    }
}

impl Drop for Link {
    fn drop(&mut self) {
        let _ = self.commands.send(Command::Shutdown);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// The network thread's work: bind, dial or accept, read every connection, send as asked.
#[allow(clippy::too_many_arguments)]
async fn run(
    key: SecretKey,
    relay_mode: RelayMode,
    relay_only: bool,
    dial: Option<EndpointAddr>,
    mut commands: tmpsc::UnboundedReceiver<Command>,
    events: mpsc::Sender<LinkEvent>,
    ready: mpsc::Sender<Result<EndpointAddr, TogetherError>>,
) {
    // A participant whose machine dies is noticed within seconds, not QUIC's default half
    // minute: keep-alives every second, given up after five silent ones.
    let mut quic = QuicTransportConfig::builder().keep_alive_interval(KEEP_ALIVE);
    if let Ok(idle) = IdleTimeout::try_from(GIVE_UP) {
        quic = quic.max_idle_timeout(Some(idle));
    }
    let own_relay = match &relay_mode {
        RelayMode::Custom(map) => map.urls::<Vec<_>>().first().map(|u| u.to_string()),
        _ => None,
    };
    let public = matches!(relay_mode, RelayMode::Default);
    let builder = Endpoint::builder(presets::Minimal)
        .secret_key(key)
        .alpns(vec![ALPN.to_vec()])
        .relay_mode(relay_mode)
        .transport_config(quic.build());
    let builder = if relay_only {
        builder.clear_ip_transports()
    } else {
        builder
    };
    let builder = match fault_bind() {
        Some(at) => match builder.clear_ip_transports().bind_addr(at) {
            Ok(b) => b,
            Err(e) => {
                let _ = ready.send(Err(TogetherError::Network(format!("cannot listen: {e}"))));
                return;
            }
        },
        None => builder,
    };
    let endpoint = match builder.bind().await {
        Ok(e) => e,
        Err(e) => {
            let _ = ready.send(Err(TogetherError::Network(format!("cannot listen: {e}"))));
            return;
        }
    };
    // A facility relay is reached before anything else: a host's invitation must name it (a
    // guest behind another network reaches the host through it), and a relay that will not
    // have us is said now, in words, rather than as a join that times out.
    if let Some(url) = own_relay
        && let Err(e) = reach_relay(&endpoint, &url, RELAY_PATIENCE).await
    {
        let _ = ready.send(Err(e));
        endpoint.close().await;
        return;
    }
    // iroh's public relays the same way, but a machine that cannot reach them (a LAN without
    // the internet) still meets its peers directly.
    if public && let Err(e) = reach_relay(&endpoint, "iroh's public relays", PUBLIC_PATIENCE).await
    {
        log::warn!("going on without a relay: {e}");
    }
    let (tx_conn, mut new_conns) = tmpsc::unbounded_channel::<Connection>();
    if let Some(addr) = dial.clone() {
        match endpoint.connect(addr, ALPN).await {
            Ok(conn) => {
                let _ = tx_conn.send(conn);
            }
            Err(e) => {
                let _ = ready.send(Err(TogetherError::Network(format!(
                    "cannot reach the host: {e}"
                ))));
                endpoint.close().await;
                return;
            }
        }
    } else {
        let ep = endpoint.clone();
        let tx = tx_conn.clone();
        tokio::spawn(async move {
            while let Some(incoming) = ep.accept().await {
                let tx = tx.clone();
                tokio::spawn(async move {
                    if let Ok(accepting) = incoming.accept()
                        && let Ok(conn) = accepting.await
                    {
                        let _ = tx.send(conn);
                    }
                });
            }
        });
    }
    let hosting = dial.is_none();
    let _ = ready.send(Ok(reachable_addr(&endpoint)));
    let mut senders: HashMap<PeerId, tmpsc::UnboundedSender<Out>> = HashMap::new();
    let mut conns: HashMap<PeerId, Connection> = HashMap::new();
    let mut writers = Vec::new();
    loop {
        tokio::select! {
            conn = new_conns.recv() => {
                let Some(conn) = conn else { continue };
                let peer = PeerId(conn.remote_id());
                let (tx, rx) = tmpsc::unbounded_channel();
                // The host answers clock pings here, stamped as they are read and answered,
                // so the time a message waits for the session's loop is not counted as
                // time on the wire.
                let tx_pong = hosting.then(|| tx.clone());
                senders.insert(peer, tx);
                conns.insert(peer, conn.clone());
                let _ = events.send(LinkEvent::Connected(peer));
                writers.push(tokio::spawn(write_loop(conn.clone(), rx)));
                tokio::spawn(read_loop(conn, peer, events.clone(), tx_pong));
            }
            cmd = commands.recv() => match cmd {
                Some(Command::Send(peer, m)) => {
                    if let Some(tx) = senders.get(&peer) {
                        let _ = tx.send(Out::Message(m));
                    }
                }
                Some(Command::Close(peer, reason)) => {
                    conns.remove(&peer);
                    if let Some(tx) = senders.remove(&peer) {
                        let _ = tx.send(Out::Close(reason));
                    }
                }
                Some(Command::Shutdown) | None => break,
            }
        }
    }
    // What was said last (a goodbye) reaches the others before the door shuts: each writer
    // sends what it holds, then closes its connection saying why; two seconds at most.
    for tx in senders.values() {
        let _ = tx.send(Out::Close("left".into()));
    }
    drop(senders);
    let _ = tokio::time::timeout(GOODBYE, async {
        for w in writers {
            let _ = w.await;
        }
    })
    .await;
    for c in conns.values() {
        c.close(VarInt::from_u32(0), b"left");
    }
    endpoint.close().await;
}

/// The endpoint's address as the invitation gives it: the addresses iroh found on this
/// machine's interfaces, and the loopback one of each socket bound to every interface, so a
/// participant on this same machine gets in even where no other interface is up (a container,
/// an offline laptop). Remote guests try every address at once; loopback simply fails for them.
fn reachable_addr(endpoint: &Endpoint) -> EndpointAddr {
    let mut addr = endpoint.addr();
    for s in endpoint.bound_sockets() {
        let loopback = match s.ip() {
            std::net::IpAddr::V4(ip) if ip.is_unspecified() => {
                Some(std::net::IpAddr::V4(std::net::Ipv4Addr::LOCALHOST))
            }
            std::net::IpAddr::V6(ip) if ip.is_unspecified() => {
                Some(std::net::IpAddr::V6(std::net::Ipv6Addr::LOCALHOST))
            }
            _ => None,
        };
        if let Some(ip) = loopback {
            addr = addr.with_ip_addr(std::net::SocketAddr::new(ip, s.port()));
        }
    }
    addr
}

/// Waits until the endpoint is connected to its relay at `url`; says why not, after
/// `patience` or as soon as the relay refuses us.
async fn reach_relay(
    endpoint: &Endpoint,
    url: &str,
    patience: std::time::Duration,
) -> Result<(), TogetherError> {
    use iroh::Watcher as _;
    let mut status = endpoint.home_relay_status();
    let deadline = tokio::time::Instant::now() + patience;
    loop {
        let now = status.get();
        if now.iter().any(|r| r.is_connected()) {
            return Ok(());
        }
        if let Some(reason) = now.iter().find_map(|r| r.auth_denied_reason()) {
            return Err(TogetherError::Relay(format!(
                "{url} refused this computer ({reason}): check the access token in \
                 {RELAY_TOKEN_ENV}"
            )));
        }
        if tokio::time::Instant::now() >= deadline {
            let why = now
                .iter()
                .find_map(|r| r.last_error().map(|e| format!(": {e}")))
                .unwrap_or_default();
            return Err(TogetherError::Relay(format!(
                "cannot reach {url} within {} s{why}",
                patience.as_secs()
            )));
        }
        let _ = tokio::time::timeout(std::time::Duration::from_millis(200), status.updated()).await;
    }
}

/// Sends one connection's messages in order, one stream each.
async fn write_loop(conn: Connection, mut rx: tmpsc::UnboundedReceiver<Out>) {
    let mut last = None;
    while let Some(out) = rx.recv().await {
        match out {
            Out::Message(m) => {
                let bytes = m.encode();
                let Ok(mut send) = conn.open_uni().await else {
                    return;
                };
                if send.write_all(&bytes).await.is_err() || send.finish().is_err() {
                    return;
                }
                last = Some(send);
            }
            Out::Close(reason) => {
                if let Some(send) = last.take() {
                    let _ = tokio::time::timeout(std::time::Duration::from_secs(2), send.stopped())
                        .await;
                }
                conn.close(VarInt::from_u32(1), reason.as_bytes());
                return;
            }
        }
    }
}

/// Reads one connection's messages until it closes.
async fn read_loop(
    conn: Connection,
    peer: PeerId,
    events: mpsc::Sender<LinkEvent>,
    pong: Option<tmpsc::UnboundedSender<Out>>,
) {
    loop {
        let mut recv = match conn.accept_uni().await {
            Ok(r) => r,
            Err(e) => {
                let _ = events.send(LinkEvent::Closed(peer, closed_reason(&e.to_string())));
                return;
            }
        };
        let event = match recv.read_to_end(MAX_MESSAGE_BYTES).await {
            Ok(bytes) => {
                let at = monotonic::now_ns();
                match Message::decode(&bytes) {
                    Ok(Message::Ping { t1 }) if pong.is_some() => {
                        if let Some(tx) = &pong {
                            let t3 = monotonic::now_ns();
                            let _ = tx.send(Out::Message(Message::Pong { t1, t2: at, t3 }));
                        }
                        continue;
                    }
                    Ok(m) => LinkEvent::Message(peer, m, at),
                    Err(e) => LinkEvent::Dropped(peer, e.to_string()),
                }
            }
            Err(e) => LinkEvent::Dropped(peer, format!("an unreadable message: {e}")),
        };
        if events.send(event).is_err() {
            return;
        }
    }
}

/// The words of a close, without QUIC's wrapping where the other end gave a reason.
fn closed_reason(raw: &str) -> String {
    match raw.split_once("reason: ") {
        Some((_, r)) => r.trim_end_matches(')').to_owned(),
        None => raw.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relays_are_named_in_words_and_only_a_facility_relay_can_carry_everything() {
        assert_eq!(Relay::parse(" none "), Ok(Relay::None));
        assert_eq!(Relay::parse("public"), Ok(Relay::Public));
        let own = Relay::parse("https://relay.example.com").expect("a URL");
        assert!(
            matches!(&own, Relay::Own { url, only: false, .. } if url == "https://relay.example.com")
        );
        assert!(matches!(
            own.relay_only(),
            Ok(Relay::Own { only: true, .. })
        ));
        let e = Relay::parse("relay.example.com").expect_err("no scheme");
        assert!(e.contains("public, none or a relay URL"), "{e}");
        assert!(Relay::Public.relay_only().is_err());
        assert!(Relay::None.relay_only().is_err());
    }
}
