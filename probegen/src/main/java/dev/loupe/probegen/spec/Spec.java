package dev.loupe.probegen.spec;

import java.util.List;

/**
 * A spec as read from its file ({@link SpecReader}): the functions whose frames a snapshot captures, and the
 * limits on what it reads. Nothing here has been checked against a binary yet ({@link SpecResolver} does that).
 *
 * @param source    the file name the reader was given; problems are reported against it
 * @param text      the YAML as read, which a snapshot file keeps
 * @param functions at least one, each function once
 * @param limits    the file's limits, with the defaults for those it does not give
 */
public record Spec(String source, String text, List<FunctionSpec> functions, Limits limits) {
    public Spec {
        functions = List.copyOf(functions);
    }
}
