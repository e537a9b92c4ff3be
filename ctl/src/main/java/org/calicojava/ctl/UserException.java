package org.calicojava.ctl;

/** A refusal with a message for the user ("profile web does not exist"). */
final class UserException extends RuntimeException {
    UserException(String message) {
        super(message);
    }
}
