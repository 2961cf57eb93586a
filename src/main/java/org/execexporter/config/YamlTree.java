package org.execexporter.config;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;

/**
 * YAML text as a tree for the strict loaders (the daemon's config, the web config), which walk it
 * by hand so that every error names its YAML path. Duplicate keys are an error; a syntax error is
 * one line with where it is.
 */
public final class YamlTree {
    private static final YAMLMapper MAPPER = YAMLMapper.builder()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .build();

    private YamlTree() {}

    /** The document's root, or null for an empty document. */
    public static JsonNode parse(String yaml) throws ConfigException {
        try {
            return MAPPER.readTree(yaml);
        } catch (JsonProcessingException e) {
            String where = e.getLocation() == null ? ""
                    : " at line " + e.getLocation().getLineNr() + " column " + e.getLocation().getColumnNr();
            throw new ConfigException("invalid YAML" + where + ": " + firstLine(e.getOriginalMessage()));
        }
    }

    private static String firstLine(String message) {
        return message == null ? "unreadable" : message.lines().findFirst().orElse("unreadable").trim();
    }
}
