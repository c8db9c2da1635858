package dev.loupe.testkit;

import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

import java.time.Duration;
import java.util.List;

/**
 * Resolves {@link GoTarget}-annotated {@link RunningTarget} parameters. The target is
 * kept in the JUnit store of the resolving context, which closes it (killing and
 * reaping the process) when that context ends, whatever the test's outcome.
 */
public final class GoTargetExtension implements ParameterResolver {
    private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(GoTargetExtension.class);

    @Override
    public boolean supportsParameter(ParameterContext p, ExtensionContext c) {
        return p.isAnnotated(GoTarget.class) && p.getParameter().getType() == RunningTarget.class;
    }

    @Override
    public Object resolveParameter(ParameterContext p, ExtensionContext c) {
        GoTarget spec = p.findAnnotation(GoTarget.class).orElseThrow();
        GoBuild build = GoBuild.target(spec.value());
        if (spec.stripped()) {
            build = build.asStripped();
        }
        RunningTarget t = RunningTarget.startReady(build, List.of(spec.args()), Duration.ofSeconds(spec.readySeconds()));
        c.getStore(NS).put(t, t);
        return t;
    }
}
