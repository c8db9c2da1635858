package dev.loupe.app.capture;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.loupe.agent.LocalAgent;
import dev.loupe.probegen.spec.Spec;
import dev.loupe.probegen.spec.SpecReader;
import dev.loupe.testkit.Gate;
import dev.loupe.testkit.GoBuild;
import dev.loupe.testkit.RunningTarget;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Real standard-library code nobody here wrote: {@code net/http} with 50 requests in flight. Each connection's
 * goroutine is in {@code (*conn).serve}, whose frame holds the connection and the response (with its request): the
 * remote addresses and URL paths captured there are exactly what the target's own handlers saw. In
 * {@code serverHandler.ServeHTTP}, further in, the request lives only in a register at the call, so its rows are
 * there, one per request, with NULL in the request's columns. (A connection goroutine stopped at another pc of
 * {@code (*conn).serve}, where {@code c} is in no stack slot, has its row too, with NULLs.)
 */
class HttpServerCaptureTest {
    private static final String SPEC = """
            functions:
              - function: net/http.(*conn).serve
                capture:
                  - expr: c.remoteAddr
                    name: remote_addr
                  - expr: w.req.URL.Path
                    name: path
                  - expr: w.req.Method
                    name: method
              - function: net/http.serverHandler.ServeHTTP
                capture:
                  - expr: req.URL.Path
                    name: path
            """;

    @Test
    void fiftyInFlightRequestsAsTheHandlersSawThem(@TempDir Path dir) throws Exception {
        Gate.requireRoot();
        Path oraclePath = dir.resolve("requests.json");
        try (RunningTarget t = RunningTarget.startReady(GoBuild.target("httpserver"), List.of("-n", "50", "-oracle", oraclePath.toString()),
                Duration.ofSeconds(120))) {
            Spec spec = SpecReader.parse(SPEC, "http.yaml");
            Path db = dir.resolve("http.db");
            new Snapshotter(new LocalAgent(), Snapshotter.Options.DEFAULT, line -> {}).take(List.of((int) t.pid()), db, spec);

            Set<String> expected = new TreeSet<>();
            for (JsonNode r : new ObjectMapper().readTree(oraclePath.toFile())) {
                expected.add(r.get("remote_addr").asText() + " " + r.get("method").asText() + " " + r.get("path").asText());
            }
            assertEquals(50, expected.size());
            Set<String> captured = new TreeSet<>();
            try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement s = c.createStatement()) {
                try (ResultSet r = s.executeQuery("SELECT remote_addr, method, path FROM net_http_conn_serve WHERE remote_addr IS NOT NULL")) {
                    while (r.next()) {
                        captured.add(r.getString(1) + " " + r.getString(2) + " " + r.getString(3));
                    }
                }
                assertEquals(expected, captured, "(remote address, method, path) of every connection serving a request");
                try (ResultSet r = s.executeQuery("SELECT count(*), count(path) FROM net_http_serverHandler_ServeHTTP")) {
                    r.next();
                    assertEquals(50, r.getInt(1), "a serverHandler.ServeHTTP frame per request");
                    assertEquals(0, r.getInt(2), "req is in a register at the call: NULL, not a guess");
                }
                // Each row is a frame of that function in goroutine_frames.
                try (ResultSet r = s.executeQuery("SELECT count(*) FROM net_http_conn_serve t JOIN goroutine_frames f"
                        + " ON f.process_id = t.process_id AND f.goid = t.goroutine_id AND f.depth = t.frame_idx"
                        + " WHERE f.function = 'net/http.(*conn).serve' AND NOT f.inlined")) {
                    r.next();
                    assertEquals(50, r.getInt(1), "rows point at their frames");
                }
            }
        }
    }
}
