package dev.loupe.app.ui;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class FlameTreeTest {
    @Test
    void framesAreColouredByWhereTheirCodeComesFrom() {
        assertEquals(FlameTree.Kind.RUNTIME, FlameTree.kind("runtime.gopark"));
        assertEquals(FlameTree.Kind.RUNTIME, FlameTree.kind("internal/runtime/maps.(*Map).getWithKeySmall"));
        assertEquals(FlameTree.Kind.STANDARD_LIBRARY, FlameTree.kind("net/http.(*conn).serve"));
        assertEquals(FlameTree.Kind.STANDARD_LIBRARY, FlameTree.kind("sync.(*Mutex).Lock"));
        assertEquals(FlameTree.Kind.PROGRAM, FlameTree.kind("main.handle.func1"));
        assertEquals(FlameTree.Kind.PROGRAM, FlameTree.kind("google.golang.org/grpc.(*Server).Serve"));
        assertEquals(FlameTree.Kind.PROGRAM, FlameTree.kind("go.etcd.io/etcd/server/v3/etcdserver.(*EtcdServer).run"));
        assertEquals("go.etcd.io/etcd/server/v3/etcdserver", FlameTree.packageOf("go.etcd.io/etcd/server/v3/etcdserver.(*EtcdServer).run"));
    }
}
