//! The server-side request forgery guard.
//!
//! Source URLs come from operators and, through feed links and redirects, from anyone on
//! the web, so a fetch must not become a way to reach the portal's own network: loopback
//! services, the LAN, or a cloud provider's metadata endpoint. The guard refuses those
//! addresses unless an allowlist entry opens them.
//!
//! Checking a name's addresses and then letting the HTTP client resolve it again would
//! leave a gap (DNS rebinding: the second answer differs). So the guard *is* the client's
//! resolver ([`GuardedResolver`]): the addresses it vets are the only ones the client
//! connects to. Hosts written as IP literals never reach a resolver, so
//! [`AddressPolicy::check_url`] vets them before each request, redirects included.

use ipnet::IpNet;
use std::collections::HashSet;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;

use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use url::{Host, Url};

use crate::error::FetchError;

/// Which hosts and addresses may be fetched.
#[derive(Debug, Clone, Default)]
pub(crate) struct AddressPolicy {
    /// Host names (lower case) let through whatever they resolve to.
    hosts: HashSet<String>,
    /// Networks let through although they are otherwise refused.
    nets: Vec<IpNet>,
}

/// A refusal by the guard, kept as an error type of its own so that it survives the HTTP
/// client's error chain and can be told apart from a plain connection failure.
#[derive(Debug, thiserror::Error)]
pub(crate) enum GuardError {
    #[error("{host} resolves to {addr}, a {kind} address")]
    Blocked {
        host: String,
        addr: IpAddr,
        kind: &'static str,
    },
    #[error("could not resolve {host}: {reason}")]
    Dns { host: String, reason: String },
}

impl AddressPolicy {
    /// Parses allowlist entries: CIDR blocks, bare addresses, or host names.
    pub(crate) fn new(entries: &[String]) -> Result<Self, FetchError> {
        let mut policy = AddressPolicy::default();
        for raw in entries {
            let entry = raw.trim();
            if entry.is_empty() {
                continue;
            }
            if let Ok(net) = entry.parse::<IpNet>() {
                policy.nets.push(net);
            } else if let Ok(ip) = entry
                .trim_start_matches('[')
                .trim_end_matches(']')
                .parse::<IpAddr>()
            {
                policy.nets.push(IpNet::from(ip));
            } else if entry.contains('/') || entry.contains(char::is_whitespace) {
                return Err(FetchError::Config {
                    reason: format!(
                        "allow_private_hosts entry `{entry}` is neither a host name, an address nor a CIDR block"
                    ),
                });
            } else {
                policy
                    .hosts
                    .insert(entry.trim_end_matches('.').to_ascii_lowercase());
            }
        }
        Ok(policy)
    }

    fn host_allowed(&self, host: &str) -> bool {
        !self.hosts.is_empty()
            && self
                .hosts
                .contains(&host.trim_end_matches('.').to_ascii_lowercase())
    }

    /// Why `ip` is refused, or `None` if it may be fetched.
    pub(crate) fn refusal(&self, ip: IpAddr) -> Option<&'static str> {
        let kind = classify(ip)?;
        if self.nets.iter().any(|net| net.contains(&ip)) {
            return None;
        }
        // An allowlisted IPv4 address also opens its IPv4-mapped IPv6 form.
        if let IpAddr::V6(v6) = ip {
            if let Some(v4) = v6.to_ipv4_mapped() {
                if self.nets.iter().any(|net| net.contains(&IpAddr::V4(v4))) {
                    return None;
                }
            }
        }
        Some(kind)
    }

    /// Vets the URL's host when it is an IP literal (or an allowlisted name); host names
    /// are vetted when the client resolves them.
    pub(crate) fn check_url(&self, url: &Url) -> Result<(), FetchError> {
        let ip = match url.host() {
            Some(Host::Ipv4(v4)) => IpAddr::V4(v4),
            Some(Host::Ipv6(v6)) => IpAddr::V6(v6),
            Some(Host::Domain(_)) => return Ok(()),
            None => {
                return Err(FetchError::InvalidUrl {
                    url: url.to_string(),
                    reason: "no host".into(),
                })
            }
        };
        match self.refusal(ip) {
            Some(kind) => Err(FetchError::BlockedAddress {
                url: url.to_string(),
                host: url.host_str().unwrap_or_default().to_owned(),
                addr: ip,
                kind,
            }),
            None => Ok(()),
        }
    }

    /// Filters resolved addresses: refused ones are dropped, and if none is left the
    /// first refusal is the error.
    pub(crate) fn vet(
        &self,
        host: &str,
        addrs: impl IntoIterator<Item = SocketAddr>,
    ) -> Result<Vec<SocketAddr>, GuardError> {
        let addrs: Vec<SocketAddr> = addrs.into_iter().collect();
        if self.host_allowed(host) {
            return Ok(addrs);
        }
        let mut first_refusal = None;
        let mut vetted = Vec::with_capacity(addrs.len());
        for addr in addrs {
            match self.refusal(addr.ip()) {
                None => vetted.push(addr),
                Some(kind) => {
                    tracing::debug!(target: "ingest::fetch", host, addr = %addr.ip(), kind, "address refused by the guard");
                    first_refusal.get_or_insert((addr.ip(), kind));
                }
            }
        }
        match (vetted.is_empty(), first_refusal) {
            (true, Some((addr, kind))) => Err(GuardError::Blocked {
                host: host.to_owned(),
                addr,
                kind,
            }),
            (true, None) => Err(GuardError::Dns {
                host: host.to_owned(),
                reason: "no addresses".into(),
            }),
            (false, _) => Ok(vetted),
        }
    }
}

/// The kind of address the guard refuses by default, or `None` for a public address.
pub(crate) fn classify(ip: IpAddr) -> Option<&'static str> {
    match ip {
        IpAddr::V4(v4) => classify_v4(v4),
        IpAddr::V6(v6) => classify_v6(v6),
    }
}

fn classify_v4(ip: Ipv4Addr) -> Option<&'static str> {
    let o = ip.octets();
    if ip == Ipv4Addr::new(169, 254, 169, 254) || ip == Ipv4Addr::new(100, 100, 100, 200) {
        // AWS/GCP/Azure/OpenStack metadata; Alibaba Cloud's lives in CGNAT space.
        return Some("cloud metadata");
    }
    if o[0] == 0 {
        return Some("unspecified (0.0.0.0/8)");
    }
    if ip.is_loopback() {
        return Some("loopback");
    }
    if ip.is_private() {
        return Some("private");
    }
    if ip.is_link_local() {
        return Some("link-local");
    }
    if o[0] == 100 && (o[1] & 0xc0) == 64 {
        return Some("carrier-grade NAT (100.64.0.0/10)");
    }
    if ip.is_multicast() {
        return Some("multicast");
    }
    if ip.is_broadcast() || o[0] >= 240 {
        return Some("reserved");
    }
    if o[0] == 192 && o[1] == 0 && o[2] == 0 {
        return Some("reserved (IETF protocol assignments)");
    }
    if o[0] == 198 && (o[1] & 0xfe) == 18 {
        return Some("reserved (benchmarking)");
    }
    if ip.is_documentation() {
        return Some("documentation");
    }
    None
}

fn classify_v6(ip: Ipv6Addr) -> Option<&'static str> {
    let s = ip.segments();
    if ip == Ipv6Addr::new(0xfd00, 0x0ec2, 0, 0, 0, 0, 0, 0x0254) {
        return Some("cloud metadata");
    }
    if ip.is_unspecified() {
        return Some("unspecified");
    }
    if ip.is_loopback() {
        return Some("loopback");
    }
    // IPv4-mapped (::ffff:a.b.c.d), IPv4-compatible (::a.b.c.d) and NAT64 (64:ff9b::/96)
    // addresses reach IPv4 hosts; judge them by the IPv4 address inside.
    if let Some(v4) = ip.to_ipv4_mapped() {
        return classify_v4(v4);
    }
    if s[0] == 0 && s[1] == 0 && s[2] == 0 && s[3] == 0 && s[4] == 0 && s[5] == 0 {
        return Some("reserved (IPv4-compatible)");
    }
    if s[0] == 0x64 && s[1] == 0xff9b {
        let v4 = Ipv4Addr::new((s[6] >> 8) as u8, s[6] as u8, (s[7] >> 8) as u8, s[7] as u8);
        return classify_v4(v4);
    }
    if (s[0] & 0xfe00) == 0xfc00 {
        return Some("private (unique local fc00::/7)");
    }
    if (s[0] & 0xffc0) == 0xfe80 {
        return Some("link-local");
    }
    if (s[0] & 0xffc0) == 0xfec0 {
        return Some("site-local");
    }
    if ip.is_multicast() {
        return Some("multicast");
    }
    if s[0] == 0x2001 && s[1] == 0x0db8 {
        return Some("documentation");
    }
    if s[0] == 0x0100 && s[1] == 0 && s[2] == 0 && s[3] == 0 {
        return Some("reserved (discard prefix)");
    }
    None
}

/// The HTTP client's resolver: resolves with the system resolver (through tokio) and hands
/// the client only addresses that pass the [`AddressPolicy`].
#[derive(Debug)]
pub(crate) struct GuardedResolver {
    pub(crate) policy: Arc<AddressPolicy>,
}

impl Resolve for GuardedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let policy = Arc::clone(&self.policy);
        let host = name.as_str().to_owned();
        Box::pin(async move {
            let resolved = tokio::net::lookup_host((host.as_str(), 0))
                .await
                .map_err(|e| GuardError::Dns {
                    host: host.clone(),
                    reason: e.to_string(),
                })?;
            let vetted = policy.vet(&host, resolved)?;
            Ok(Box::new(vetted.into_iter()) as Addrs)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn refuses_internal_addresses() {
        for a in [
            "127.0.0.1",
            "127.8.9.10",
            "10.1.2.3",
            "172.16.0.1",
            "172.31.255.255",
            "192.168.1.1",
            "169.254.169.254",
            "169.254.1.1",
            "100.64.0.1",
            "100.127.255.254",
            "0.0.0.0",
            "224.0.0.1",
            "255.255.255.255",
            "::1",
            "::",
            "fc00::1",
            "fd00:ec2::254",
            "fe80::1",
            "ff02::1",
            "::ffff:127.0.0.1",
            "::ffff:10.0.0.1",
            "64:ff9b::a9fe:a9fe",
        ] {
            assert!(classify(ip(a)).is_some(), "{a} should be refused");
        }
        assert_eq!(classify(ip("169.254.169.254")), Some("cloud metadata"));
        assert_eq!(classify(ip("fd00:ec2::254")), Some("cloud metadata"));
    }

    #[test]
    fn lets_public_addresses_through() {
        for a in [
            "93.184.216.34",
            "1.1.1.1",
            "100.63.255.255",
            "100.128.0.1",
            "172.32.0.1",
            "2606:2800:220:1:248:1893:25c8:1946",
            "::ffff:8.8.8.8",
        ] {
            assert_eq!(classify(ip(a)), None, "{a} should be allowed");
        }
    }

    #[test]
    fn allowlist_opens_addresses_networks_and_names() {
        let p = AddressPolicy::new(&[
            "127.0.0.1".into(),
            "10.0.0.0/8".into(),
            "[::1]".into(),
            "Intranet.Example.".into(),
        ])
        .unwrap();
        assert_eq!(p.refusal(ip("127.0.0.1")), None);
        assert_eq!(p.refusal(ip("::ffff:127.0.0.1")), None);
        assert_eq!(p.refusal(ip("10.9.8.7")), None);
        assert_eq!(p.refusal(ip("::1")), None);
        assert_eq!(p.refusal(ip("127.0.0.2")), Some("loopback"));
        assert_eq!(p.refusal(ip("169.254.169.254")), Some("cloud metadata"));
        let addr: SocketAddr = "192.168.0.5:0".parse().unwrap();
        assert!(p.vet("intranet.example", [addr]).is_ok());
        assert!(p.vet("other.example", [addr]).is_err());
        assert!(AddressPolicy::new(&["not a host".into()]).is_err());
        assert!(AddressPolicy::new(&["10.0.0.0/99".into()]).is_err());
    }

    #[test]
    fn vet_keeps_only_public_addresses() {
        let p = AddressPolicy::default();
        let public: SocketAddr = "93.184.216.34:0".parse().unwrap();
        let private: SocketAddr = "10.0.0.1:0".parse().unwrap();
        assert_eq!(
            p.vet("mixed.example", [private, public]).unwrap(),
            vec![public]
        );
        match p.vet("internal.example", [private]) {
            Err(GuardError::Blocked { kind, .. }) => assert_eq!(kind, "private"),
            other => panic!("unexpected {other:?}"),
        }
    }
}
