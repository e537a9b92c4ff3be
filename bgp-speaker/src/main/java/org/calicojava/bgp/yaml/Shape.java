package org.calicojava.bgp.yaml;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/** What a mapping of the YAML may also be written as, for the message when it is written as something else. */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
@interface Shape {
    /** E.g. {@code true, false or a mapping with minRx, minTx, multiplier, graceful}. */
    String value();
}
