package dev.loupe.app.ui;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.loupe.app.store.SnapshotFile;
import dev.loupe.testkit.Gate;
import dev.loupe.testkit.GoBuild;
import dev.loupe.testkit.RunningTarget;
import javafx.scene.control.Tab;
import javafx.scene.control.TreeItem;
import javafx.stage.Stage;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * "Which query blocks which", as a user reads it in the window: targets/locks captured with a spec of its queries,
 * the function table's rows against the target's own account of its transactions (its oracle), the blocked ones
 * found by filters, and a query's SQL in its goroutine's detail.
 */
class LocksWorkflowTest {
    private static final String SPEC = """
            functions:
              - function: main.(*Query).execute
                capture:
                  - expr: q.SQL
                    name: sql
                  - expr: q.Txn.Name
                    name: txn
            """;

    @BeforeAll
    static void startJavaFx() throws Exception {
        Fx.start();
    }

    @Test
    void theBlockedQueriesAreFoundAndRead(@TempDir Path dir) throws Exception {
        Gate.requireRoot();
        Path oracle = dir.resolve("oracle.json");
        Path spec = Files.writeString(dir.resolve("locks.yaml"), SPEC);
        try (RunningTarget t = RunningTarget.startReady(GoBuild.target("locks"), List.of("-txns", "9", "-oracle", oracle.toString()),
                Duration.ofSeconds(120))) {
            JsonNode txns = new ObjectMapper().readTree(oracle.toFile());
            Set<List<String>> queries = new HashSet<>();
            int waiting = 0;
            for (JsonNode txn : txns) {
                queries.add(List.of(txn.get("name").asText(), txn.get("query").asText()));
                waiting += txn.get("waits_for").isNull() ? 0 : 1;
            }
            assertEquals(9, queries.size());
            Stage stage = Fx.call(Stage::new);
            Workstation w = Fx.call(() -> new Workstation(stage, dir.resolve("history"), StacksSnapshot.OPTIONS));
            Tab tab = Fx.call(() -> w.capture(List.of((int) t.pid()), spec)).get(120, TimeUnit.SECONDS);
            SnapshotView snapshot = Fx.call(() -> (SnapshotView) tab.getContent());
            TablesView tables = snapshot.tables();

            // Every transaction's current query, in the function table, as the target says.
            Fx.call(() -> {
                tables.setSql("SELECT txn, sql FROM main_Query_execute");
                return tables.run();
            }).get(60, TimeUnit.SECONDS);
            Set<List<String>> captured = new HashSet<>();
            Fx.call(() -> tables.grid().getItems()).forEach(row -> captured.add(List.of(String.valueOf(row.get(0)), String.valueOf(row.get(1)))));
            assertEquals(queries, captured, "(txn, sql) per goroutine in main.(*Query).execute");
            Fx.run(() -> {
                SnapshotFile.TableInfo first = tables.listed().getFirst();
                assertEquals(new SnapshotFile.TableInfo("main_Query_execute", SnapshotFile.TableKind.FUNCTION, false, 9L), first);
            });

            // The blocked ones: waiting in the lock table, on its condition variable; the heads stream to a stuck client.
            int blocked = waiting;
            Fx.run(() -> {
                snapshot.filter(new GoroutineFilter("LockTable", null, false, false));
                assertEquals(blocked, shown(snapshot), "goroutines in main.(*LockTable).Acquire");
                snapshot.filter(new GoroutineFilter("", "sync.Cond.Wait", false, true));
                assertEquals(blocked, shown(snapshot), "waiting on sync.Cond, with captured data");
                snapshot.filter(new GoroutineFilter("", "chan send", false, true));
                assertEquals(9 - blocked, shown(snapshot), "the heads, sending to their clients");
            });

            // A head's query (the filter above leaves only the heads) in its goroutine's detail, at its frame of main.(*Query).execute.
            long goid = Fx.call(() -> {
                TreeItem<GroupedStacksView.Row> group = snapshot.groupedStacks().getRoot().getChildren().getFirst();
                group.setExpanded(true);
                snapshot.groupedStacks().getSelectionModel().select(group.getChildren().getFirst());
                return group.getChildren().getFirst().getValue().goid();
            });
            SnapshotFile.GoroutineDetail detail = Fx.call(() -> snapshot.detail().whenShown(d -> d.goid() == goid)).get(60, TimeUnit.SECONDS);
            int depth = 0;
            while (!detail.frames().get(depth).function().equals("main.(*Query).execute")) {
                depth++;
            }
            String sql = (String) detail.captured().get(depth).get("sql");
            String txn = (String) detail.captured().get(depth).get("txn");
            assertTrue(queries.contains(List.of(txn, sql)), txn + ": " + sql);
            assertTrue(sql.startsWith("SELECT * FROM accounts WHERE id = "), "a head runs a SELECT ... FOR UPDATE: " + sql);
            Fx.run(stage::close);
        }
    }

    private static int shown(SnapshotView snapshot) {
        return snapshot.groupedStacks().getRoot().getChildren().stream().mapToInt(i -> i.getValue().group().count()).sum();
    }
}
