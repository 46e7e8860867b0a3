//! Reviewing together: several people, each with their own copy of the review file, on the
//! same frame at the same moment, with shared notes. One participant hosts (the authority on
//! the transport and who is in); the others join with an invitation. Only control, presence,
//! notes and each copy's identity travel — never media.
//!
//! - [`link`]: the network (iroh), invitations;
//! - [`message`]: what is said, typed and versioned, with size and rate limits;
//! - [`identity`]: which cut each participant has;
//! - [`clock_sync`]: how the host's clock reads against ours;
//! - [`host`] / [`guest`]: the two roles, as state machines (events in, actions out), so they
//!   are tested without a network;
//! - [`follow`]: where a guest's transport should be, from the host's and the clock estimate,
//!   and how a guest's review is moved there;
//! - [`drift`]: the steady speed correction that keeps a playing guest on the host's sample
//!   when their sound cards' clocks differ;
//! - [`session`]: a shared review in progress — the link, the role, following, presence and
//!   notes — polled by whichever front end runs it;
//! - [`console`]: a participant without a window, driven by lines on standard input (the
//!   window's side is `ui::together_window`).

pub mod clock_sync;
pub mod console;
pub mod drift;
pub mod follow;
pub mod guest;
pub mod host;
pub mod identity;
pub mod link;
pub mod message;
pub mod session;

/// What can go wrong in a shared review, in words for the reviewer.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum TogetherError {
    #[error("this invitation cannot be used: {0}")]
    Invitation(&'static str),
    #[error("{host}'s invitation has expired: ask them for a new one")]
    Expired { host: String },
    #[error("the network: {0}")]
    Network(String),
    #[error("the relay: {0}")]
    Relay(String),
    #[error("no random numbers from the system: {0}")]
    Random(String),
    #[error("cannot read the review file to compare copies: {0}")]
    File(String),
}
