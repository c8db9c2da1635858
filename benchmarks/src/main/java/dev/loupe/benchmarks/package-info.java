/**
 * JMH benchmarks of Loupe's speed and memory targets (https://github.com/openjdk/jmh); run with
 * ./run-benchmarks, results recorded in docs/BENCHMARKS.md.
 */
package dev.loupe.benchmarks;
