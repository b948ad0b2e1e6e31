//! A client for the ZEGO Analytics Dashboard server API, built to run as
//! WebAssembly in every JavaScript runtime.
//!
//! The crate signs requests, builds and checks their query strings, and reads
//! the service's answers. On `wasm32` it also sends them through the runtime's
//! global `fetch` and exports the JavaScript API (`AnalyticsClient`,
//! `generateSignature`, `parseResponse`). Everything else runs natively too, so
//! most of it is tested without a network.
//!
//! ```
//! use zego_analytics::{Action, Client, Config};
//!
//! let options = serde_json::json!({
//!     "appId": 12345,
//!     "serverSecret": "9193cc662a4c0ec135ec71fb57194b38",
//! });
//! let client = Client::new(Config::from_options(options.as_object().unwrap())?);
//! let params = serde_json::json!({
//!     "startDate": "20250110", "endDate": "20250112", "metrics": ["publish_count"],
//! });
//! let url = client.signed_url(Action::BizUsage, &params, "4fd24687296dd9f3", 1615186943)?;
//! assert!(url.contains("&Signature=43e5cfcca828314675f91b001390566a&"));
//! # Ok::<(), zego_analytics::Error>(())
//! ```

#![deny(missing_docs)]
#![forbid(unsafe_code)]

pub mod actions;
pub mod client;
pub mod config;
pub mod error;
pub mod policy;
pub mod query;
pub mod response;
pub mod sign;
#[cfg(target_arch = "wasm32")]
mod transport;
pub mod verify;
#[cfg(target_arch = "wasm32")]
pub mod wasm;

pub use actions::Action;
pub use client::Client;
pub use config::{Config, Secret};
pub use error::{Error, Kind};
pub use response::Output;
pub use sign::{new_nonce, signature};
pub use verify::{verify_signed_url, Verdict};
