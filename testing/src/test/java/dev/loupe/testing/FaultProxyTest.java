package dev.loupe.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.Arrays;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class FaultProxyTest {
    private ServerSocket echo;
    private FaultProxy proxy;

    @BeforeEach
    void startEchoServerBehindProxy() throws IOException {
        echo = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(() -> {
            while (!echo.isClosed()) {
                try {
                    Socket s = echo.accept();
                    Thread t = new Thread(() -> {
                        try (s;
                                InputStream in = s.getInputStream();
                                OutputStream out = s.getOutputStream()) {
                            in.transferTo(out);
                        } catch (IOException ignored) {
                            // peer gone
                        }
                    });
                    t.setDaemon(true);
                    t.start();
                } catch (IOException e) {
                    return;
                }
            }
        });
        acceptor.setDaemon(true);
        acceptor.start();
        proxy = FaultProxy.start("127.0.0.1", echo.getLocalPort());
    }

    @AfterEach
    void stop() throws IOException {
        proxy.close();
        echo.close();
    }

    @Test
    void forwardsBothWays() throws IOException {
        try (Socket s = connect()) {
            assertThat(roundTrip(s, "hello".getBytes())).isEqualTo("hello".getBytes());
        }
        assertThat(proxy.accepted()).isEqualTo(1);
    }

    @Test
    void cutDropsOpenConnectionsAndRefusesNewOnesUntilRestored() throws IOException {
        Socket before = connect();
        assertThat(roundTrip(before, new byte[] {1})).containsExactly(1);

        proxy.cut();
        assertThatThrownBy(() -> roundTrip(before, new byte[] {2})).isInstanceOf(IOException.class);
        try (Socket during = connect()) {
            // accepted by the kernel, then closed by the proxy: the first read sees the end of the stream
            during.getOutputStream().write(3);
            assertThat(during.getInputStream().read()).isEqualTo(-1);
        } catch (IOException reset) {
            // a reset is as good as an end of stream
        }
        assertThat(proxy.refused()).isEqualTo(1);

        proxy.restore();
        try (Socket after = connect()) {
            assertThat(roundTrip(after, new byte[] {4})).containsExactly(4);
        }
        before.close();
    }

    @Test
    void delayHoldsEveryChunkBack() throws IOException {
        try (Socket s = connect()) {
            roundTrip(s, new byte[] {0}); // connection established before the delay starts
            proxy.delay(Duration.ofMillis(150));
            long begun = System.nanoTime();
            roundTrip(s, new byte[] {1});
            // one chunk up and one down, each held back 150 ms
            assertThat(Duration.ofNanos(System.nanoTime() - begun)).isGreaterThanOrEqualTo(Duration.ofMillis(300));
        }
    }

    @Test
    void throttleCapsTheBandwidth() throws IOException {
        try (Socket s = connect()) {
            proxy.throttle(64 * 1024);
            byte[] payload = new byte[32 * 1024];
            Arrays.fill(payload, (byte) 7);
            long begun = System.nanoTime();
            assertThat(roundTrip(s, payload)).isEqualTo(payload);
            // 32 KiB up and 32 KiB down at 64 KiB/s each: at least a quarter second, whatever the chunking
            assertThat(Duration.ofNanos(System.nanoTime() - begun)).isGreaterThanOrEqualTo(Duration.ofMillis(250));
        }
    }

    private Socket connect() throws IOException {
        Socket s = new Socket("127.0.0.1", proxy.port());
        s.setSoTimeout(10_000);
        return s;
    }

    private static byte[] roundTrip(Socket s, byte[] payload) throws IOException {
        s.getOutputStream().write(payload);
        s.getOutputStream().flush();
        byte[] back = new byte[payload.length];
        new DataInputStream(s.getInputStream()).readFully(back);
        return back;
    }
}
