/**
 * What a snapshot holds once decoded and symbolised: processes, goroutines and their
 * frames, named as in the Go runtime's {@code runtime2.go} and {@code traceback.go}.
 */
package dev.loupe.app.snapshot;
