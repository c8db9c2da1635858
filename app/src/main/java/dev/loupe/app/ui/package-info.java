/**
 * The workstation: the JavaFX window engineers take, open and explore snapshots in. Everything it shows is read
 * from snapshot files ({@link dev.loupe.app.store.SnapshotFile}), off the JavaFX thread.
 */
package dev.loupe.app.ui;
