package dev.loupe.dwarf.buildinfo;

/**
 * One {@code build} line ({@code runtime/debug.BuildSetting}), e.g. "-ldflags" = "-s -w",
 * "GOARCH" = "amd64", "vcs.revision" = "...". Keys and values are unquoted.
 */
public record BuildSetting(String key, String value) {}
