package dev.loupe.common.egress;

import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Decides whether Loupe may call an outbound URL (alert receivers, the LLM judge). Loopback,
 * private, link-local, unique-local and cloud metadata addresses are refused unless an entry of
 * the allowlist (a host name, an address or a CIDR block) covers them.
 */
public final class EgressPolicy {
    private static final List<String> METADATA_HOSTS = List.of("metadata.google.internal", "metadata", "instance-data");
    /** Digits and dots only (with an optional trailing dot): a host the resolver reads as an IPv4 address. */
    private static final Pattern AMBIGUOUS_IPV4 = Pattern.compile("[0-9.]+");
    /** The one unambiguous spelling: four decimal parts without leading zeros. */
    private static final Pattern DOTTED_QUAD = Pattern.compile(
            "((25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\\.){3}(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])");

    private final List<String> allowedHosts;
    private final List<Cidr> allowedBlocks;
    private final Resolver resolver;

    /** Resolves a host name; replaceable so tests need no DNS. */
    @FunctionalInterface
    public interface Resolver {
        InetAddress[] resolve(String host) throws UnknownHostException;
    }

    public EgressPolicy(List<String> allow) {
        this(allow, InetAddress::getAllByName);
    }

    public EgressPolicy(List<String> allow, Resolver resolver) {
        this.allowedBlocks = allow.stream()
                .map(String::trim)
                .filter(Cidr::looksLikeBlockOrAddress)
                .map(Cidr::parse)
                .toList();
        this.allowedHosts = allow.stream()
                .map(String::trim)
                .filter(e -> !e.isEmpty() && !Cidr.looksLikeBlockOrAddress(e))
                .map(e -> e.toLowerCase(Locale.ROOT))
                .toList();
        this.resolver = resolver;
    }

    /**
     * Checks a URL before any connection is made.
     *
     * @throws EgressDeniedException naming why the URL may not be called
     */
    public void check(URI url) {
        checkedAddress(url);
    }

    /**
     * Checks a URL as {@link #check(URI)} does and returns the address it was checked against: connect to that one
     * (not to a second resolution of the host, which a DNS answer changed in between — rebinding — could point at a
     * private address). {@code null} when the host is allowed by name: the caller resolves it itself.
     *
     * @throws EgressDeniedException naming why the URL may not be called
     */
    public InetAddress checkedAddress(URI url) {
        if (url == null || url.getScheme() == null || url.getHost() == null) {
            throw new EgressDeniedException("not an absolute URL: " + url);
        }
        String scheme = url.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw new EgressDeniedException("only http and https URLs may be called, not " + scheme);
        }
        String host = url.getHost().toLowerCase(Locale.ROOT);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        if (allowedHosts.contains(host)) {
            return null;
        }
        if (METADATA_HOSTS.contains(host)) {
            throw new EgressDeniedException(host + " is a cloud metadata endpoint");
        }
        if (AMBIGUOUS_IPV4.matcher(host).matches() && !DOTTED_QUAD.matcher(host).matches()) {
            // 2130706433, 0177.0.0.1, 10.1: resolvers disagree on what these mean (octal, short forms)
            throw new EgressDeniedException(host + " is an IPv4 address in an ambiguous spelling; write it as a.b.c.d");
        }
        InetAddress[] addresses;
        try {
            addresses = resolver.resolve(host);
        } catch (UnknownHostException e) {
            throw new EgressDeniedException("cannot resolve " + host);
        }
        for (InetAddress address : addresses) {
            String why = restriction(address);
            if (why != null && allowedBlocks.stream().noneMatch(block -> block.contains(address))) {
                throw new EgressDeniedException(host + " resolves to " + address.getHostAddress() + ", a " + why
                        + " address; add it to loupe.egress.allow to permit it");
            }
        }
        if (addresses.length == 0) {
            throw new EgressDeniedException("cannot resolve " + host);
        }
        return addresses[0];
    }

    /** The URL's port, or its scheme's default (443 for https, 80 for http). */
    public static int port(URI url) {
        return url.getPort() != -1 ? url.getPort() : "https".equalsIgnoreCase(url.getScheme()) ? 443 : 80;
    }

    /**
     * The IPv4 address inside an IPv4-compatible ({@code ::a.b.c.d}), NAT64 ({@code 64:ff9b::a.b.c.d}) or 6to4
     * ({@code 2002:aabb:ccdd::}) IPv6 address, which routes to that IPv4 address; IPv4-mapped ones Java already
     * reads as IPv4.
     */
    private static InetAddress embeddedIpv4(byte[] b) {
        if (b.length != 16) {
            return null;
        }
        boolean zeroPrefix = true;
        for (int i = 0; i < 12; i++) {
            zeroPrefix &= b[i] == 0;
        }
        boolean nat64 = b[0] == 0 && b[1] == 0x64 && (b[2] & 0xff) == 0xff && (b[3] & 0xff) == 0x9b;
        for (int i = 4; nat64 && i < 12; i++) {
            nat64 = b[i] == 0;
        }
        try {
            if ((zeroPrefix && !(b[12] == 0 && b[13] == 0 && b[14] == 0 && (b[15] == 0 || b[15] == 1))) || nat64) {
                return InetAddress.getByAddress(java.util.Arrays.copyOfRange(b, 12, 16));
            }
            if (b[0] == 0x20 && b[1] == 0x02) {
                return InetAddress.getByAddress(java.util.Arrays.copyOfRange(b, 2, 6));
            }
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
        return null;
    }

    /** Why an address is restricted, or {@code null} when it is a public address. */
    static String restriction(InetAddress address) {
        if (address.isLoopbackAddress()) {
            return "loopback";
        }
        if (address.isAnyLocalAddress()) {
            return "wildcard";
        }
        if (address.isLinkLocalAddress()) {
            return "link-local (metadata)";
        }
        if (address.isSiteLocalAddress()) {
            return "private";
        }
        if (address.isMulticastAddress()) {
            return "multicast";
        }
        byte[] b = address.getAddress();
        if (b.length == 16 && (b[0] & 0xfe) == 0xfc) {
            return "unique-local";
        }
        if (b.length == 4 && b[0] == 0) {
            return "this-network (0.0.0.0/8)";
        }
        InetAddress embedded = embeddedIpv4(b);
        if (embedded != null) {
            String why = restriction(embedded);
            return why == null ? null : why + " (embedded in " + address.getHostAddress() + ")";
        }
        if (b.length == 4 && (b[0] & 0xff) == 100 && (b[1] & 0xc0) == 64) {
            return "carrier-grade NAT";
        }
        return null;
    }
}
