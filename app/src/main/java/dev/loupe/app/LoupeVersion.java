package dev.loupe.app;

/** Loupe's version, from the jar's manifest (set by the build). */
public final class LoupeVersion {
    private LoupeVersion() {}

    /** E.g. "0.1.0-SNAPSHOT", or "(development build)" when run from classes. */
    public static String get() {
        String v = LoupeVersion.class.getPackage().getImplementationVersion();
        return v == null ? "(development build)" : v;
    }
}
