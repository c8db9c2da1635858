package dev.loupe.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Debian's etcd (package etcd-server, which ./run-tests installs): a real Go program nobody here built, stripped and
 * linked by the external linker. {@code LOUPE_ETCD} names another binary.
 */
public final class DebianEtcd {
    private DebianEtcd() {}

    /** The binary; the test skips (fails under CI) when it is not there. */
    public static Path binary() {
        String env = System.getenv("LOUPE_ETCD");
        Path etcd = Path.of(env != null ? env : "/usr/bin/etcd");
        Gate.require(Files.isRegularFile(etcd), "no etcd binary at " + etcd + " (./run-tests installs Debian's etcd-server; or set LOUPE_ETCD)");
        return etcd;
    }

    /** A port on the loopback interface that was free a moment ago. */
    public static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A one-member cluster serving on loopback, ready for clients; close it to stop it. */
    public record Server(RunningTarget process, String clientUrl) implements AutoCloseable {
        /** GET {@code path} of the client URL (e.g. "/debug/pprof/goroutine?debug=2"), which must answer 200. */
        public String get(String path) {
            try (HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build()) {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(clientUrl + path)).timeout(Duration.ofSeconds(30)).build(),
                        HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() != 200) {
                    throw new AssertionError("GET " + path + " of etcd: " + r.statusCode() + " " + r.body());
                }
                return r.body();
            } catch (IOException e) {
                throw new UncheckedIOException("GET " + path + " of etcd", e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }

        @Override
        public void close() {
            process.close();
        }
    }

    /**
     * Starts etcd with its data in {@code dataDir} (which must not exist) and {@code extraArgs}, on two free loopback
     * ports, and waits until it logs that it serves clients (etcd logs that once the cluster is ready); its
     * {@code /health} must then answer true.
     */
    public static Server start(Path dataDir, List<String> extraArgs, Duration timeout) {
        String client = "http://127.0.0.1:" + freePort();
        String peer = "http://127.0.0.1:" + freePort();
        List<String> args = new ArrayList<>(List.of("--data-dir", dataDir.toString(),
                "--listen-client-urls", client, "--advertise-client-urls", client,
                "--listen-peer-urls", peer, "--initial-advertise-peer-urls", peer, "--initial-cluster", "default=" + peer,
                "--logger", "zap", "--log-outputs", "stdout"));
        args.addAll(extraArgs);
        Server s = new Server(RunningTarget.start(binary(), args), client);
        try {
            s.process().awaitLine(l -> l.contains("\"msg\":\"serving client traffic"), timeout);
            String health = s.get("/health");
            if (!health.contains("\"health\":\"true\"")) {
                throw new AssertionError("etcd serves clients but is not healthy: " + health);
            }
            return s;
        } catch (RuntimeException | Error e) {
            s.close();
            throw e;
        }
    }
}
