package org.calicojava.ctl;

import com.fasterxml.jackson.core.JsonProcessingException;
import org.calicojava.model.Json;

/** JSON and YAML rendering for -o json|yaml (YAML's classes load only when asked for). */
final class Output {
    private Output() {}

    static String json(Object value) {
        try {
            return Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    static String yaml(Object value) {
        try {
            return new com.fasterxml.jackson.databind.ObjectMapper(
                            new com.fasterxml.jackson.dataformat.yaml.YAMLFactory()
                                    .disable(
                                            com.fasterxml.jackson.dataformat.yaml.YAMLGenerator.Feature
                                                    .WRITE_DOC_START_MARKER))
                    .setSerializationInclusion(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL)
                    .writeValueAsString(Json.MAPPER.valueToTree(value));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
