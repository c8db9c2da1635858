/**
 * Taking a snapshot from the workstation's side: read each target's binary, generate its program, have the agent
 * run it inside a pause, decode what comes back and write the snapshot file.
 */
package dev.loupe.app.capture;
