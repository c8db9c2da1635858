package dev.loupe.testkit;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Asks {@link GoTargetExtension} for a running target as a test parameter:
 * {@code void test(@GoTarget(value = "stacks", args = {"-n", "1000"}) RunningTarget t)}.
 * The target is built (cached), started, awaited until it prints {@code ready},
 * and killed and reaped when the test (or, for a {@code @BeforeAll} parameter, the class) ends.
 */
@Target(ElementType.PARAMETER)
@Retention(RetentionPolicy.RUNTIME)
public @interface GoTarget {
    /** The target's directory under {@code targets/}. */
    String value();

    /** Command-line arguments. */
    String[] args() default {};

    /** Link without symbols and DWARF ({@code -ldflags=-s -w}). */
    boolean stripped() default false;

    /** Seconds to wait for {@code ready}. */
    int readySeconds() default 120;
}
