"""Sandboxes cannot reach the host: the firewall that keeps them off it, and the check that it is there.

A sandbox sits on a Docker bridge (settings.sandbox_network). Without more, a process in it reaches every address
of the host (the bridge's gateway, eth0, the other bridges: packets to the host's own addresses go through the
INPUT hook, not FORWARD, so Docker's rules never see them), the control plane wherever it listens, any service on
the host, other machines on the LAN or VPC and the cloud's metadata address (169.254.169.254).

`autocode firewall apply` (root: a systemd oneshot before the control plane, a one-shot service in the compose
file, `make up`) installs one nftables table per sandbox network, `inet autocode_<network>_<hash>`, with two base
chains that run before Docker's and every other filter chain (priority -10), matched on the bridge's interface:

- input: anything new from the bridge to the host itself is rejected (every host address, IPv4 and IPv6);
- forward: from the bridge, DNS to the host's own resolvers and the explicitly allowed destinations
  (settings.sandbox_firewall_allow) pass; a connection the host rewrote with DNAT (a published port reached through
  a host address), and any destination in the private, shared, loopback, link-local (the metadata address),
  multicast and reserved ranges or in one of the host's own subnets, is rejected. The internet is untouched.

Rejections are ICMP "administratively prohibited", which a connect() sees at once as EHOSTUNREACH ("blocked"),
distinct from a refused connection (the host's TCP stack answered) or a timeout. A table of its own is never
rewritten by Docker (which owns `ip filter`/`ip nat`), works whether iptables is nft or legacy (a drop in any base
chain is final), and is removed in one statement. It does not survive a reboot or `nft flush ruleset` (Debian's
nftables.service starts with one), which is why the control plane does not trust it but checks it.

The control plane runs without root and cannot list nftables, so it checks by trying: a short-lived probe container
shaped like a sandbox (this image, this network, its uid, no capabilities) connects to the control plane's port and
the engine's TCP ports on the bridge's gateway, and to 169.254.169.254:80; each must be "blocked". It does so at
start-up and on every reconcile pass, and refuses to start a sandbox while the answer is not that
(settings.sandbox_firewall_check; off only for development).
"""

from __future__ import annotations

import hashlib
import ipaddress
import json
import os
import re
import shutil
import subprocess
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from controlplane.config import Settings

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

METADATA_ADDRESS = "169.254.169.254"
ENGINE_TCP_PORTS = (2375, 2376)
# Never reachable from a sandbox (besides the host's own subnets, found when the rules are applied).
BLOCKED_V4 = (
    "0.0.0.0/8",  # this network
    "10.0.0.0/8",  # private
    "100.64.0.0/10",  # shared address space (carrier NAT; some clouds' metadata, e.g. 100.100.100.200)
    "127.0.0.0/8",  # loopback
    "169.254.0.0/16",  # link-local: the metadata address
    "172.16.0.0/12",  # private (Docker's own networks)
    "192.0.0.0/24",  # IETF protocol assignments
    "192.168.0.0/16",  # private
    "198.18.0.0/15",  # benchmarking
    "224.0.0.0/4",  # multicast
    "240.0.0.0/4",  # reserved and broadcast
)
BLOCKED_V6 = ("::1/128", "::ffff:0:0/96", "fc00::/7", "fe80::/10", "ff00::/8")
RESOLV_CONFS = (Path("/etc/resolv.conf"), Path("/run/systemd/resolve/resolv.conf"))
REJECT = "reject with icmpx type admin-prohibited"
PROBE_CONNECT_SECONDS = 2.0
# Run in the probe container (python3 -I: nothing from the environment or a home): connect to each target with a
# short deadline and say how it ended. EHOSTUNREACH is the firewall's answer (ICMP administratively prohibited).
PROBE_SCRIPT = """
import errno, json, socket, sys
timeout = float(sys.argv[2])
names = {errno.EHOSTUNREACH: "blocked", errno.ECONNREFUSED: "refused", errno.ENETUNREACH: "no-route"}
results = []
for host, port in json.loads(sys.argv[1]):
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.settimeout(timeout)
    try:
        sock.connect((host, port))
        results.append("open")
    except socket.timeout:
        results.append("timeout")
    except OSError as exc:
        results.append(names.get(exc.errno, errno.errorcode.get(exc.errno or 0, str(exc))))
    finally:
        sock.close()
print(json.dumps(results))
"""


class FirewallError(Exception):
    """The rules could not be applied or removed (not root, no nft, the engine or the network missing)."""


@dataclass(frozen=True)
class NetworkFacts:
    """What the rules are written for: the sandbox network's bridge and addresses."""

    name: str
    bridge: str
    gateways: tuple[str, ...]
    subnets: tuple[str, ...]


@dataclass(frozen=True)
class Allowed:
    """A destination sandboxes may reach despite the blocked ranges (settings.sandbox_firewall_allow)."""

    network: IPNetwork
    port: int | None = None

    @classmethod
    def parse(cls, text: str) -> Allowed:
        """`10.0.0.5`, `10.0.0.0/24`, `10.0.0.5:8080`, `[fd00::5]:8080` or `fd00::/64`."""
        text = text.strip()
        port: int | None = None
        if match := re.fullmatch(r"\[([0-9A-Fa-f:.]+(?:/\d+)?)\]:(\d+)", text):
            text, port = match.group(1), int(match.group(2))
        elif text.count(":") == 1:
            text, _, port_text = text.partition(":")
            port = int(port_text)
        if port is not None and not 0 < port < 65536:
            raise ValueError(f"port {port} out of range")
        return cls(ipaddress.ip_network(text, strict=False), port)


def table_name(network: str) -> str:
    """One table per sandbox network, so two control planes (or two tests) never touch each other's rules."""
    digest = hashlib.sha256(network.encode()).hexdigest()[:8]
    return f"autocode_{re.sub(r'[^A-Za-z0-9_]', '_', network)[:40]}_{digest}"


def host_subnets() -> list[IPNetwork]:
    """The subnets of the host's own interfaces (the LAN, the VPC, Docker's bridges), from `ip -json addr`."""
    ip = shutil.which("ip") or "/usr/sbin/ip"
    try:
        output = subprocess.run([ip, "-json", "addr"], capture_output=True, text=True, check=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return []
    subnets: list[IPNetwork] = []
    for interface in json.loads(output.stdout or "[]"):
        for info in interface.get("addr_info", []):
            if info.get("local") and info.get("prefixlen") is not None:
                subnets.append(ipaddress.ip_network(f"{info['local']}/{info['prefixlen']}", strict=False))
    return subnets


def host_resolvers(paths: Sequence[Path] = RESOLV_CONFS) -> list[IPAddress]:
    """The DNS servers the engine forwards sandboxes' queries to (often a private or link-local address)."""
    found: list[IPAddress] = []
    for path in paths:
        try:
            lines = path.read_text().splitlines()
        except OSError:
            continue
        for line in lines:
            words = line.split()
            if len(words) >= 2 and words[0] == "nameserver":
                try:
                    address = ipaddress.ip_address(words[1].split("%")[0])
                except ValueError:
                    continue
                if not address.is_loopback and address not in found:
                    found.append(address)
    return found


def _elements(networks: Iterable[IPNetwork]) -> str:
    return ", ".join(str(n) for n in networks)


def _collapsed(texts: Iterable[str], extra: Iterable[IPNetwork], version: int) -> list[IPNetwork]:
    networks = [ipaddress.ip_network(t) for t in texts] + [n for n in extra if n.version == version]
    return list(ipaddress.collapse_addresses(networks))  # type: ignore[type-var]  # one version only


@dataclass
class Ruleset:
    facts: NetworkFacts
    allowed: list[Allowed] = field(default_factory=list)
    resolvers: list[IPAddress] = field(default_factory=list)
    subnets: list[IPNetwork] = field(default_factory=list)

    def _allow_rules(self, iif: str) -> list[str]:
        rules = []
        for allowed in self.allowed:
            family = "ip" if allowed.network.version == 4 else "ip6"
            port = f"meta l4proto {{ tcp, udp }} th dport {allowed.port} " if allowed.port else ""
            rules.append(f"{iif} {family} daddr {allowed.network} {port}accept")
        return rules

    def render(self) -> str:
        """The nft script: the table made (if missing), emptied and written again in one transaction."""
        table = table_name(self.facts.name)
        iif = f'iifname "{self.facts.bridge}"'
        dns = [
            f"{iif} {'ip' if r.version == 4 else 'ip6'} daddr {r} meta l4proto {{ tcp, udp }} th dport 53 accept"
            for r in self.resolvers
        ]
        blocked4 = _collapsed(BLOCKED_V4, self.subnets, 4)
        blocked6 = _collapsed(BLOCKED_V6, self.subnets, 6)
        allow = self._allow_rules(iif)
        lines = [
            f"table inet {table} {{}}",
            f"delete table inet {table}",
            f"table inet {table} {{",
            f'  comment "AutoCode: sandboxes on {self.facts.name} cannot reach the host (autocode firewall)"',
            "  chain input {",
            "    type filter hook input priority -10; policy accept;",
            f"    {iif} ct state established,related accept",
            *(f"    {rule}" for rule in allow),
            f"    {iif} counter {REJECT}",
            "  }",
            "  chain forward {",
            "    type filter hook forward priority -10; policy accept;",
            *(f"    {rule}" for rule in dns + allow),
            f"    {iif} ct status dnat counter {REJECT}",
            f"    {iif} ip daddr {{ {_elements(blocked4)} }} counter {REJECT}",
            f"    {iif} ip6 daddr {{ {_elements(blocked6)} }} counter {REJECT}",
            "  }",
            "}",
        ]
        return "\n".join(lines) + "\n"


# -- applying (root) -----------------------------------------------------------------------------------------------
def _nft(script: str) -> None:
    if os.geteuid() != 0:
        raise FirewallError("changing the firewall needs root: run `sudo autocode firewall apply`")
    nft = shutil.which("nft") or next((p for p in ("/usr/sbin/nft", "/sbin/nft") if os.path.exists(p)), None)
    if nft is None:
        raise FirewallError("the nft command is missing: `apt-get install nftables`")
    result = subprocess.run([nft, "-f", "-"], input=script, capture_output=True, text=True, timeout=30)
    if result.returncode != 0:
        raise FirewallError(f"nft refused the rules: {result.stderr.strip()}")


def ruleset_for(settings: Settings, facts: NetworkFacts) -> Ruleset:
    return Ruleset(
        facts,
        allowed=[Allowed.parse(entry) for entry in settings.sandbox_firewall_allow],
        resolvers=host_resolvers(),
        subnets=host_subnets(),
    )


def apply(settings: Settings) -> Ruleset:
    """Install (or replace) the rules for the sandbox network, creating the network first if it is missing."""
    from controlplane.sandbox.docker_engine import DockerSandboxBackend

    if settings.sandbox_network == "none":
        raise FirewallError("sandboxes have no network (AUTOCODE_SANDBOX_NETWORK=none): nothing to apply")
    ruleset = ruleset_for(settings, DockerSandboxBackend(settings).network_facts())
    _nft(ruleset.render())
    return ruleset


def remove(settings: Settings) -> None:
    """Delete the sandbox network's table (nothing happens when there is none)."""
    table = table_name(settings.sandbox_network)
    _nft(f"table inet {table} {{}}\ndelete table inet {table}\n")


# -- checking (any user that holds the engine) ------------------------------------------------------------------
def probe_targets(settings: Settings, facts: NetworkFacts) -> list[tuple[str, int]]:
    """What a sandbox must not reach: the control plane's port and the engine's on each gateway, the metadata."""
    targets = [(gateway, port) for gateway in facts.gateways for port in (settings.port, *ENGINE_TCP_PORTS)]
    return [*targets, (METADATA_ADDRESS, 80)]


def isolation_problem(settings: Settings, targets: list[tuple[str, int]], outcomes: list[str]) -> str | None:
    """None when every target was blocked by the firewall; otherwise what to do, in one sentence."""
    reached = [f"{host}:{port} ({outcome})" for (host, port), outcome in zip(targets, outcomes, strict=True)]
    leaks = [text for text, outcome in zip(reached, outcomes, strict=True) if outcome != "blocked"]
    if not leaks:
        return None
    return (
        f"sandboxes on the network {settings.sandbox_network} are not kept off the host: a probe from that network "
        f"was not blocked at {', '.join(leaks)}. Run `sudo autocode firewall apply` (with this control plane's "
        "settings; the systemd unit autocode-firewall.service or the compose service `firewall` does it), or, for "
        "development only, set AUTOCODE_SANDBOX_FIREWALL_CHECK=false. Sandboxes are not started until then."
    )
