//! The address of the person behind a request, for the terms-of-service acceptance Stripe
//! records on a Custom account (`tos_acceptance[ip]`, <https://docs.stripe.com/connect/updating-service-agreements>).
//!
//! A client writes any `X-Forwarded-For` it likes, so the header is believed only when the
//! connection comes from a proxy the operator listed in `TRUSTED_PROXIES`; otherwise the
//! address is the TCP peer (`serve`) or the source address AWS puts in the Lambda request
//! context, which no client can set.

use std::fmt;
use std::net::IpAddr;
use std::str::FromStr;

use axum::http::HeaderMap;

/// An address block such as `10.0.0.0/8` or `2600:9000::/28`; a bare address is a block of one.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct IpBlock {
    network: IpAddr,
    prefix_len: u8,
}

impl IpBlock {
    pub fn contains(&self, address: IpAddr) -> bool {
        match (self.network, canonical(address)) {
            (IpAddr::V4(network), IpAddr::V4(address)) => {
                let mask = u32::MAX
                    .checked_shl(32 - u32::from(self.prefix_len))
                    .unwrap_or(0);
                u32::from(network) & mask == u32::from(address) & mask
            }
            (IpAddr::V6(network), IpAddr::V6(address)) => {
                let mask = u128::MAX
                    .checked_shl(128 - u32::from(self.prefix_len))
                    .unwrap_or(0);
                u128::from(network) & mask == u128::from(address) & mask
            }
            _ => false,
        }
    }
}

/// `::ffff:10.0.0.1` (how a dual-stack listener sees an IPv4 peer) is `10.0.0.1`.
fn canonical(address: IpAddr) -> IpAddr {
    match address {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(IpAddr::V6(v6), IpAddr::V4),
        v4 => v4,
    }
}

impl FromStr for IpBlock {
    type Err = ();

    fn from_str(text: &str) -> Result<Self, ()> {
        let (address, prefix_len) = match text.split_once('/') {
            Some((address, len)) => (address, Some(len)),
            None => (text, None),
        };
        let network = canonical(address.trim().parse::<IpAddr>().map_err(|_| ())?);
        let max = if network.is_ipv4() { 32 } else { 128 };
        let prefix_len = match prefix_len {
            Some(len) => len.trim().parse::<u8>().map_err(|_| ())?,
            None => max,
        };
        if prefix_len > max {
            return Err(());
        }
        Ok(Self {
            network,
            prefix_len,
        })
    }
}

impl fmt::Debug for IpBlock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.network, self.prefix_len)
    }
}

/// The proxies whose `X-Forwarded-For` is believed (`TRUSTED_PROXIES`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TrustedProxies(Vec<IpBlock>);

impl TrustedProxies {
    pub fn new(blocks: Vec<IpBlock>) -> Self {
        Self(blocks)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    fn trusts(&self, address: IpAddr) -> bool {
        self.0.iter().any(|block| block.contains(address))
    }

    /// The client's address: `peer` itself, unless `peer` is a trusted proxy; then the
    /// `X-Forwarded-For` entries are read from the right (each proxy appends the address it
    /// saw) past every trusted proxy, and the first other address is the client. Entries
    /// further left were written by whoever connected first, so they are never believed.
    pub fn client(&self, headers: &HeaderMap, peer: IpAddr) -> IpAddr {
        let peer = canonical(peer);
        if !self.trusts(peer) {
            return peer;
        }
        let forwarded: Vec<&str> = headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|value| value.to_str().ok())
            .flat_map(|value| value.split(','))
            .collect();
        let mut client = peer;
        for entry in forwarded.iter().rev() {
            let Ok(address) = entry.trim().parse::<IpAddr>() else {
                // A malformed hop cannot be followed past: the last good one stands.
                break;
            };
            client = canonical(address);
            if !self.trusts(client) {
                break;
            }
        }
        client
    }
}

/// The source address AWS records for a Lambda invocation (function URL or HTTP API:
/// `requestContext.http.sourceIp`; REST API: `requestContext.identity.sourceIp`).
pub fn lambda_source_ip(context: &lambda_http::request::RequestContext) -> Option<IpAddr> {
    use lambda_http::request::RequestContext;
    let source = match context {
        RequestContext::ApiGatewayV2(context) => context.http.source_ip.as_deref(),
        RequestContext::ApiGatewayV1(context) => context.identity.source_ip.as_deref(),
        _ => None,
    };
    source.and_then(|ip| ip.trim().parse().ok())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn proxies(list: &[&str]) -> TrustedProxies {
        TrustedProxies::new(list.iter().map(|block| block.parse().unwrap()).collect())
    }

    fn forwarded(value: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert("x-forwarded-for", value.parse().unwrap());
        headers
    }

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    #[test]
    fn without_trusted_proxies_the_header_is_ignored() {
        let spoofed = forwarded("203.0.113.66");
        assert_eq!(
            TrustedProxies::default().client(&spoofed, ip("198.51.100.7")),
            ip("198.51.100.7")
        );
    }

    #[test]
    fn a_peer_outside_the_list_is_the_client_whatever_it_forwards() {
        let spoofed = forwarded("203.0.113.66, 10.0.0.2");
        assert_eq!(
            proxies(&["10.0.0.0/8"]).client(&spoofed, ip("198.51.100.7")),
            ip("198.51.100.7")
        );
    }

    #[test]
    fn behind_trusted_proxies_the_rightmost_untrusted_hop_is_the_client() {
        // The client prepended a lie; the two proxies appended what they saw.
        let headers = forwarded("203.0.113.66, 198.51.100.7, 10.0.0.2");
        assert_eq!(
            proxies(&["10.0.0.0/8"]).client(&headers, ip("10.0.0.3")),
            ip("198.51.100.7")
        );
        let mapped = proxies(&["10.0.0.0/8"]).client(&headers, ip("::ffff:10.0.0.3"));
        assert_eq!(mapped, ip("198.51.100.7"));
    }

    #[test]
    fn blocks_parse_with_and_without_a_prefix() {
        assert!(proxies(&["2600:9000::/28"]).trusts(ip("2600:9000:1::1")));
        assert!(proxies(&["192.0.2.1"]).trusts(ip("192.0.2.1")));
        assert!(!proxies(&["192.0.2.1"]).trusts(ip("192.0.2.2")));
        assert!(proxies(&["0.0.0.0/0"]).trusts(ip("8.8.8.8")));
        for bad in ["10.0.0.0/33", "ten", "10.0.0.0/", "::/129"] {
            assert!(bad.parse::<IpBlock>().is_err(), "{bad}");
        }
    }
}
