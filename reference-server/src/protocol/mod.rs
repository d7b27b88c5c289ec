//! The wire vocabulary: protocol versions, JSON-RPC messages, errors and
//! the `_meta` fields of the stateless revision. Nothing here knows about
//! transports or about the server's features.

pub mod capabilities;
pub mod error;
pub mod message;
pub mod meta;
pub mod version;

pub use capabilities::ClientCapabilities;
pub use error::{code, RpcError};
pub use message::{classify, error_response, result_response, Incoming, Notification, Rejected, Request};
pub use meta::RequestMeta;
pub use version::{Era, ProtocolVersion};
