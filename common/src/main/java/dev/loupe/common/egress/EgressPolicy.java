package dev.loupe.common.egress;

import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Locale;

/**
 * Decides whether Loupe may call an outbound URL (alert receivers, the LLM judge). Loopback,
 * private, link-local, unique-local and cloud metadata addresses are refused unless an entry of
 * the allowlist (a host name, an address or a CIDR block) covers them.
 */
public final class EgressPolicy {
    private static final List<String> METADATA_HOSTS = List.of("metadata.google.internal", "metadata", "instance-data");

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
        this.allowedBlocks = allow.stream().map(String::trim).filter(Cidr::looksLikeBlockOrAddress).map(Cidr::parse).toList();
        this.allowedHosts = allow.stream().map(String::trim).filter(e -> !e.isEmpty() && !Cidr.looksLikeBlockOrAddress(e))
                .map(e -> e.toLowerCase(Locale.ROOT)).toList();
        this.resolver = resolver;
    }

    /**
     * Checks a URL before any connection is made.
     *
     * @throws EgressDeniedException naming why the URL may not be called
     */
    public void check(URI url) {
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
            return;
        }
        if (METADATA_HOSTS.contains(host)) {
            throw new EgressDeniedException(host + " is a cloud metadata endpoint");
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
        if (b.length == 4 && (b[0] & 0xff) == 100 && (b[1] & 0xc0) == 64) {
            return "carrier-grade NAT";
        }
        return null;
    }
}
