package org.execexporter.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The one strict walker of a YAML tree, for every config file (the daemon's, the web config): a
 * value and its YAML path, so that every error is one line naming that path ("/comm/max_series
 * must be 1 or greater"), and unknown keys are rejected by name. A key that is absent, or present
 * with no value, is empty: {@link #get} answers null, {@link #section} an empty node whose
 * accessors answer their fallbacks.
 */
public final class YamlNode {
    private final String path;
    private final JsonNode value;

    private YamlNode(String path, JsonNode value) {
        this.path = path;
        this.value = value == null || value.isMissingNode() || value.isNull() ? null : value;
    }

    /** The root of a YAML document (see {@link YamlTree} for what is refused); empty for an empty document. */
    public static YamlNode parse(String yaml) throws ConfigException {
        return new YamlNode("", YamlTree.parse(yaml));
    }

    public String path() {
        return path;
    }

    /** True when the value is absent or null. */
    public boolean isEmpty() {
        return value == null;
    }

    /** One line: this node's path, then {@code message} ("must be ..."). */
    public ConfigException error(String message) {
        return new ConfigException((path.isEmpty() ? "the top level" : path) + " " + message);
    }

    /** Checks this is a mapping (or empty) that holds only {@code known} keys. */
    public YamlNode keys(Set<String> known) throws ConfigException {
        if (value == null) {
            return this;
        }
        if (!value.isObject()) {
            throw error("must be a mapping of keys");
        }
        Iterator<String> names = value.fieldNames();
        while (names.hasNext()) {
            String name = names.next();
            if (!known.contains(name)) {
                throw new ConfigException("unknown key " + path + "/" + name + " (known keys here: "
                        + String.join(", ", known.stream().sorted().toList()) + ")");
            }
        }
        return this;
    }

    /** True when {@code key} holds a value (not absent, not null). */
    public boolean has(String key) {
        return value != null && value.isObject() && value.hasNonNull(key);
    }

    /** The value under {@code key}, or null when absent or empty. */
    public YamlNode get(String key) {
        return has(key) ? child(key, value.get(key)) : null;
    }

    /** The mapping under {@code key}, holding only {@code known} keys; empty when absent. */
    public YamlNode section(String key, Set<String> known) throws ConfigException {
        return child(key, has(key) ? value.get(key) : null).keys(known);
    }

    private YamlNode child(String key, JsonNode v) {
        return new YamlNode(path + "/" + key, v);
    }

    public List<Map.Entry<String, YamlNode>> entries() throws ConfigException {
        if (!value.isObject()) {
            throw error("must be a mapping");
        }
        List<Map.Entry<String, YamlNode>> out = new ArrayList<>();
        value.fields().forEachRemaining(e -> out.add(Map.entry(e.getKey(), child(e.getKey(), e.getValue()))));
        return out;
    }

    /** The items of a list; {@code what} names them in the error ("a list of numbers"). */
    public List<YamlNode> items(String what) throws ConfigException {
        if (!value.isArray()) {
            throw error("must be " + what);
        }
        List<YamlNode> out = new ArrayList<>();
        for (int i = 0; i < value.size(); i++) {
            out.add(child(String.valueOf(i), value.get(i)));
        }
        return out;
    }

    public List<YamlNode> items() throws ConfigException {
        return items("a list");
    }

    public String string() throws ConfigException {
        if (value == null || !value.isTextual()) {
            throw error("must be a string");
        }
        return value.asText();
    }

    public boolean bool() throws ConfigException {
        if (value == null || !value.isBoolean()) {
            throw error("must be true or false");
        }
        return value.asBoolean();
    }

    public long whole() throws ConfigException {
        if (value == null || !value.isIntegralNumber() || !value.canConvertToLong()) {
            throw error("must be a whole number");
        }
        return value.asLong();
    }

    public double number() throws ConfigException {
        if (value == null || !value.isNumber()) {
            throw error("must be a number");
        }
        return value.asDouble();
    }

    /** {@code check}'s result; its IllegalArgumentException becomes one line naming this path. */
    public <T> T check(Supplier<T> check) throws ConfigException {
        try {
            return check.get();
        } catch (IllegalArgumentException e) {
            throw error(phrase(e.getMessage()));
        }
    }

    /** The string under {@code key} through {@code parse}, or {@code fallback} when empty. */
    public <T> T string(String key, T fallback, Function<String, T> parse) throws ConfigException {
        YamlNode v = get(key);
        if (v == null) {
            return fallback;
        }
        String text = v.string();
        return v.check(() -> parse.apply(text));
    }

    /** The whole number under {@code key} through {@code check}, or {@code fallback} when empty. */
    public int whole(String key, int fallback, Function<Long, Integer> check) throws ConfigException {
        YamlNode v = get(key);
        if (v == null) {
            return fallback;
        }
        long n = v.whole();
        return v.check(() -> check.apply(n));
    }

    /** A string or a list of strings under {@code key}, each through {@code parse}; {@code fallback} when empty. */
    public <T> List<T> strings(String key, List<T> fallback, Function<String, T> parse) throws ConfigException {
        YamlNode v = get(key);
        if (v == null) {
            return fallback;
        }
        List<YamlNode> items = v.value.isTextual() ? List.of(v) : v.items("a string or a list of strings");
        List<T> out = new ArrayList<>();
        for (YamlNode item : items) {
            String text = item.string();
            out.add(item.check(() -> parse.apply(text)));
        }
        return out;
    }

    public boolean bool(String key, boolean fallback) throws ConfigException {
        YamlNode v = get(key);
        return v == null ? fallback : v.bool();
    }

    /**
     * The rules say "must be ..." and PEM parsing "holds ..." / "does not ..."; other parsers say
     * what they saw: each reads after a path.
     */
    private static String phrase(String message) {
        return message.startsWith("must ") || message.startsWith("is ") || message.startsWith("holds ")
                || message.startsWith("does ") ? message : "is invalid: " + message;
    }
}
