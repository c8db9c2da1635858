/**
 * From a resolved spec and the binary's DWARF to the plain-data {@link dev.loupe.probegen.ir.CapturePlan}: where
 * each captured variable is at each return address, and how to read what it points to (DWARF 5 §2.6, location
 * descriptions).
 */
package dev.loupe.probegen.irgen;
