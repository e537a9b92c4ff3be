package org.calicojava.felix.dataplane;

/** A dataplane write or read failed (command error, kernel refusal); the message is one line. */
public class DataplaneException extends RuntimeException {
    public DataplaneException(String message) {
        super(message);
    }
}
