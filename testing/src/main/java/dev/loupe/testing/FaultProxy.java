package dev.loupe.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A TCP proxy on a loopback port in front of a real peer (PostgreSQL, an HTTP service) that a fault test can
 * break on purpose: {@link #cut()} drops every open connection and refuses new ones until {@link #restore()};
 * {@link #delay(Duration)} holds every chunk of bytes back for a while; {@link #throttle(long)} caps each
 * direction's bandwidth. Plain blocking sockets, two threads a connection: enough for the tens of connections
 * a service's pool opens.
 */
public final class FaultProxy implements AutoCloseable {
    private final String targetHost;
    private final int targetPort;
    private final ServerSocket server;
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private final AtomicLong accepted = new AtomicLong();
    private final AtomicLong refused = new AtomicLong();
    private volatile boolean cut;
    private volatile long delayMillis;
    private volatile long bytesPerSecond;

    private FaultProxy(String targetHost, int targetPort, ServerSocket server) {
        this.targetHost = targetHost;
        this.targetPort = targetPort;
        this.server = server;
    }

    /** Listens on a free loopback port and forwards every connection to {@code targetHost:targetPort}. */
    public static FaultProxy start(String targetHost, int targetPort) {
        try {
            ServerSocket server = new ServerSocket(0, 200, InetAddress.getLoopbackAddress());
            FaultProxy proxy = new FaultProxy(targetHost, targetPort, server);
            Thread acceptor = new Thread(proxy::acceptLoop, "fault-proxy-" + server.getLocalPort());
            acceptor.setDaemon(true);
            acceptor.start();
            return proxy;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public int port() {
        return server.getLocalPort();
    }

    /** Drops every open connection (the peers see a reset) and refuses new ones until {@link #restore()}. */
    public void cut() {
        cut = true;
        open.forEach(FaultProxy::closeQuietly);
        open.clear();
    }

    /** Forwards again, at full speed and without delay. */
    public void restore() {
        delayMillis = 0;
        bytesPerSecond = 0;
        cut = false;
    }

    /** Holds every chunk read from either side back by {@code delay} before forwarding it. */
    public void delay(Duration delay) {
        delayMillis = delay.toMillis();
    }

    /** Caps each direction of each connection at {@code bytesPerSecond}; 0 lifts the cap. */
    public void throttle(long bytesPerSecond) {
        this.bytesPerSecond = bytesPerSecond;
    }

    /** Connections forwarded since the start. */
    public long accepted() {
        return accepted.get();
    }

    /** Connections refused while cut. */
    public long refused() {
        return refused.get();
    }

    @Override
    public void close() {
        closeQuietly(server);
        cut();
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            Socket client;
            try {
                client = server.accept();
            } catch (IOException e) {
                return; // closed
            }
            if (cut) {
                refused.incrementAndGet();
                closeQuietly(client);
                continue;
            }
            try {
                Socket target = new Socket();
                target.connect(new InetSocketAddress(targetHost, targetPort), 5_000);
                client.setTcpNoDelay(true);
                target.setTcpNoDelay(true);
                open.add(client);
                open.add(target);
                accepted.incrementAndGet();
                pump(client, target, "up");
                pump(target, client, "down");
            } catch (IOException e) {
                closeQuietly(client);
            }
        }
    }

    private void pump(Socket from, Socket to, String direction) {
        Thread thread = new Thread(
                () -> {
                    byte[] buffer = new byte[16 * 1024];
                    try (InputStream in = from.getInputStream();
                            OutputStream out = to.getOutputStream()) {
                        int n;
                        while ((n = in.read(buffer)) >= 0) {
                            long delay = delayMillis;
                            if (delay > 0) {
                                Thread.sleep(delay);
                            }
                            long rate = bytesPerSecond;
                            if (rate > 0) {
                                Thread.sleep(Math.max(1, n * 1000L / rate));
                            }
                            if (cut) {
                                break;
                            }
                            out.write(buffer, 0, n);
                            out.flush();
                        }
                    } catch (IOException e) {
                        // the other side went away, or cut() closed the sockets
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    } finally {
                        closeQuietly(from);
                        closeQuietly(to);
                        open.remove(from);
                        open.remove(to);
                    }
                },
                "fault-proxy-" + port() + "-" + direction);
        thread.setDaemon(true);
        thread.start();
    }

    private static void closeQuietly(java.io.Closeable closeable) {
        try {
            closeable.close();
        } catch (IOException ignored) {
            // closing is best effort
        }
    }
}
