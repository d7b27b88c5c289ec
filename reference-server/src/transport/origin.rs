//! DNS-rebinding defence for the HTTP transports.
//!
//! Every request is checked (HTTP-002): a present `Origin` must be a
//! loopback origin, `http://127.0.0.1[:port]`, `http://localhost[:port]` or
//! `http://[::1][:port]`, else 403 (HTTP-003, L-HTTP-014). The `Host` header
//! must name a loopback host or the address the server is bound to, so a
//! rebound DNS name pointing at 127.0.0.1 is refused even when the browser
//! sends no `Origin`.

use std::net::{IpAddr, SocketAddr};

use axum::http::{HeaderMap, Method};

const LOOPBACK_NAMES: [&str; 3] = ["127.0.0.1", "localhost", "[::1]"];

/// What a transport accepts.
#[derive(Clone, Debug)]
pub struct OriginPolicy {
    bound_ip: IpAddr,
    check_origin: bool,
    /// The `origin-checked-on-post-only` fault: other methods skip the Origin check.
    origin_on_post_only: bool,
    /// The `no-host-check` fault: any `Host` is accepted.
    any_host: bool,
}

/// Splits `host[:port]` (IPv6 hosts in brackets); `None` when malformed.
fn split_authority(authority: &str) -> Option<(&str, Option<&str>)> {
    let (host, port) = if authority.starts_with('[') {
        let end = authority.find(']')?;
        let (host, rest) = authority.split_at(end + 1);
        match rest {
            "" => (host, None),
            _ => (host, Some(rest.strip_prefix(':')?)),
        }
    } else {
        match authority.split_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (authority, None),
        }
    };
    let port_ok = port.is_none_or(|p| !p.is_empty() && p.len() <= 5 && p.bytes().all(|b| b.is_ascii_digit()));
    (!host.is_empty() && port_ok).then_some((host, port))
}

fn is_loopback_name(host: &str) -> bool {
    LOOPBACK_NAMES.iter().any(|n| n.eq_ignore_ascii_case(host))
}

/// Whether `origin` (an `Origin` header value) is a loopback origin.
pub fn origin_allowed(origin: &str) -> bool {
    let Some(scheme_end) = origin.find("://") else {
        return false;
    };
    if !origin[..scheme_end].eq_ignore_ascii_case("http") {
        return false;
    }
    split_authority(&origin[scheme_end + 3..]).is_some_and(|(host, _)| is_loopback_name(host))
}

impl OriginPolicy {
    /// The policy for a server bound to `bound`; `check_origin` is false
    /// only under the `no-origin-check` fault.
    pub fn new(bound: SocketAddr, check_origin: bool) -> OriginPolicy {
        OriginPolicy {
            bound_ip: bound.ip(),
            check_origin,
            origin_on_post_only: false,
            any_host: false,
        }
    }

    /// Under the `no-host-check` fault: accept any `Host`.
    pub fn any_host(mut self, yes: bool) -> OriginPolicy {
        self.any_host = yes;
        self
    }

    /// Under the `origin-checked-on-post-only` fault: check the Origin of POSTs only.
    pub fn origin_on_post_only(mut self, yes: bool) -> OriginPolicy {
        self.origin_on_post_only = yes;
        self
    }

    /// [`OriginPolicy::check`] for a request with `method`.
    pub fn check_request(&self, method: &Method, headers: &HeaderMap) -> Result<(), String> {
        if self.origin_on_post_only && method != Method::POST {
            return self.check_host(headers);
        }
        self.check(headers)
    }

    fn host_allowed(&self, host: &str) -> bool {
        let Some((name, _)) = split_authority(host) else {
            return false;
        };
        if is_loopback_name(name) {
            return true;
        }
        let bare = name.trim_start_matches('[').trim_end_matches(']');
        bare.parse::<IpAddr>().is_ok_and(|ip| ip == self.bound_ip)
    }

    fn check_host(&self, headers: &HeaderMap) -> Result<(), String> {
        if self.any_host {
            return Ok(());
        }
        for host in headers.get_all("host") {
            let host = host.to_str().unwrap_or("");
            if !self.host_allowed(host) {
                return Err(format!("Host '{host}' is not a loopback host"));
            }
        }
        Ok(())
    }

    /// `Err(reason)` when the request must get 403.
    pub fn check(&self, headers: &HeaderMap) -> Result<(), String> {
        self.check_host(headers)?;
        if self.check_origin {
            for origin in headers.get_all("origin") {
                let origin = origin.to_str().unwrap_or("");
                if !origin_allowed(origin) {
                    return Err(format!("Origin '{origin}' is not allowed"));
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderValue;

    use super::*;

    #[test]
    fn origins() {
        for ok in ["http://127.0.0.1:8080", "http://localhost", "http://LOCALHOST:1", "http://[::1]:3000", "HTTP://localhost:9"] {
            assert!(origin_allowed(ok), "{ok}");
        }
        for bad in [
            "null",
            "http://evil.example",
            "http://localhost.evil.example:80",
            "https://evil.example",
            "http://127.0.0.1.nip.io",
            "file://",
            "http://localhost:",
            "http://localhost:80/path",
            "ftp://localhost",
            "",
        ] {
            assert!(!origin_allowed(bad), "{bad}");
        }
    }

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(*k, HeaderValue::from_static(v));
        }
        h
    }

    #[test]
    fn policy() {
        let p = OriginPolicy::new("127.0.0.1:4000".parse().unwrap(), true);
        assert!(p.check(&headers(&[("host", "127.0.0.1:4000")])).is_ok());
        assert!(p.check(&headers(&[("host", "localhost:4000"), ("origin", "http://localhost:5173")])).is_ok());
        assert!(p.check(&headers(&[("host", "127.0.0.1:4000"), ("origin", "http://evil.example")])).is_err());
        assert!(p.check(&headers(&[("host", "evil.example:4000")])).is_err());
        assert!(p.check(&headers(&[])).is_ok());
        let lax = OriginPolicy::new("127.0.0.1:4000".parse().unwrap(), false);
        assert!(lax.check(&headers(&[("host", "127.0.0.1:4000"), ("origin", "http://evil.example")])).is_ok());
        let post_only = OriginPolicy::new("127.0.0.1:4000".parse().unwrap(), true).origin_on_post_only(true);
        let foreign = headers(&[("host", "127.0.0.1:4000"), ("origin", "http://evil.example")]);
        assert!(post_only.check_request(&Method::GET, &foreign).is_ok());
        assert!(post_only.check_request(&Method::POST, &foreign).is_err());
        assert!(p.check_request(&Method::GET, &foreign).is_err());
        let any_host = OriginPolicy::new("127.0.0.1:4000".parse().unwrap(), true).any_host(true);
        assert!(any_host.check(&headers(&[("host", "evil.example:4000")])).is_ok());
        let v6 = OriginPolicy::new("[::1]:4000".parse().unwrap(), true);
        assert!(v6.check(&headers(&[("host", "[::1]:4000")])).is_ok());
        let lan = OriginPolicy::new("192.0.2.7:4000".parse().unwrap(), true);
        assert!(lan.check(&headers(&[("host", "192.0.2.7:4000")])).is_ok());
    }
}
