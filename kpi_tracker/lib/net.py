"""IP addresses and networks, parsed strictly (what goes into the audit log's inet column)."""

import ipaddress

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_ip(value: str | None) -> Address | None:
    """The address written exactly as an IPv4 or IPv6 address, or None: no port, no brackets, no
    zone (fe80::1%eth0 would not fit PostgreSQL's inet), nothing around it but spaces."""
    if not value:
        return None
    try:
        address = ipaddress.ip_address(value.strip())
    except ValueError:
        return None
    if getattr(address, "scope_id", None):
        return None
    return address


def parse_networks(values: list[str]) -> list[Network]:
    """Networks (a bare address is a /32 or /128). Raises ValueError naming a bad entry, also one
    with host bits set (10.0.0.1/8), which is more likely a typo than meant."""
    networks = []
    for value in values:
        try:
            networks.append(ipaddress.ip_network(value.strip(), strict=True))
        except ValueError:
            raise ValueError(f"{value!r} is not an IP address or network (CIDR) address") from None
    return networks


def in_networks(address: Address, networks: list[Network]) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return any(address.version == n.version and address in n for n in networks)
