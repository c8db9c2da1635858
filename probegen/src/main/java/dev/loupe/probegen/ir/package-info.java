/**
 * What a snapshot program captures, as plain data between the spec resolver and the code generator: which pc
 * ranges are frames of spec functions, what each such frame reads relative to its CFA, and how to follow the
 * pointers in what it read (Side-Eye's breadth-first capture; see docs/snapshot-engine.md, "Capturing values").
 */
package dev.loupe.probegen.ir;
