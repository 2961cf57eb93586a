package org.execexporter.base;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Long flags in the style of Prometheus exporters (kingpin): {@code --name=value},
 * {@code --name value}, booleans as {@code --name} / {@code --no-name}. A flag may be given once,
 * except a repeatable one, whose values add up in order. Errors are one line naming the flag.
 */
public final class FlagSet {
    private final String usage;
    private final Map<String, Flag<?>> flags = new LinkedHashMap<>();

    public FlagSet(String usage) {
        this.usage = usage;
    }

    /** A flag's definition and, after {@link #parse}, its value. */
    public static final class Flag<T> {
        private final String name;
        private final String help;
        private final T defaultValue;
        private final Function<String, T> parser;
        private final boolean isBoolean;
        private final String shownDefault;
        private boolean repeatable;
        private T value;
        private boolean set;

        private Flag(String name, String help, T defaultValue, String shownDefault, boolean isBoolean,
                     Function<String, T> parser) {
            this.name = name;
            this.help = help;
            this.defaultValue = defaultValue;
            this.shownDefault = shownDefault;
            this.isBoolean = isBoolean;
            this.parser = parser;
            this.value = defaultValue;
        }

        public String name() {
            return "--" + name;
        }

        public T value() {
            return value;
        }

        public T defaultValue() {
            return defaultValue;
        }

        /** Whether the command line gave this flag (so it overrides a config file). */
        public boolean isSet() {
            return set;
        }
    }

    public Flag<String> string(String name, String defaultValue, String help) {
        return add(new Flag<>(name, help, defaultValue, defaultValue, false, v -> v));
    }

    public Flag<Boolean> bool(String name, boolean defaultValue, String help) {
        return add(new Flag<>(name, help, defaultValue, null, true, FlagSet::parseBoolean));
    }

    public Flag<Integer> integer(String name, int defaultValue, int min, int max, String help) {
        return add(new Flag<>(name, help, defaultValue, String.valueOf(defaultValue), false, v -> {
            int n;
            try {
                n = Integer.parseInt(v);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("not a whole number");
            }
            if (n < min || n > max) {
                throw new IllegalArgumentException("must be from " + min + " to " + max);
            }
            return n;
        }));
    }

    public Flag<Duration> duration(String name, Duration defaultValue, String help) {
        return add(new Flag<>(name, help, defaultValue, defaultValue == null ? null : Durations.format(defaultValue),
                false, Durations::parse));
    }

    /** A flag of any type: {@code parser} throws IllegalArgumentException with the reason. */
    public <T> Flag<T> custom(String name, T defaultValue, String shownDefault, String help,
                              Function<String, T> parser) {
        return add(new Flag<>(name, help, defaultValue, shownDefault, false, parser));
    }

    /**
     * A flag that may be given more than once, each time adding a value (as kingpin's repeatable
     * flags); {@code item} parses one value and throws IllegalArgumentException with the reason.
     */
    public <T> Flag<List<T>> repeatable(String name, List<T> defaultValue, String shownDefault, String help,
                                        Function<String, T> item) {
        Flag<List<T>> flag = new Flag<>(name, help, List.copyOf(defaultValue), shownDefault, false,
                v -> List.of(item.apply(v)));
        flag.repeatable = true;
        return add(flag);
    }

    private <T> Flag<T> add(Flag<T> flag) {
        if (flags.putIfAbsent(flag.name, flag) != null) {
            throw new IllegalStateException("flag --" + flag.name + " defined twice");
        }
        return flag;
    }

    /** Parses {@code args}; returns the arguments that are not flags, in order. */
    public List<String> parse(List<String> args) throws UsageException {
        List<String> positional = new ArrayList<>();
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            if (arg.equals("--")) {
                positional.addAll(args.subList(i + 1, args.size()));
                break;
            }
            if (!arg.startsWith("--") || arg.length() == 2) {
                if (arg.startsWith("-") && !arg.equals("-")) {
                    throw new UsageException("unknown flag " + arg);
                }
                positional.add(arg);
                continue;
            }
            int eq = arg.indexOf('=');
            String name = arg.substring(2, eq < 0 ? arg.length() : eq);
            String value = eq < 0 ? null : arg.substring(eq + 1);
            Flag<?> flag = flags.get(name);
            if (flag == null && value == null && name.startsWith("no-")) {
                Flag<?> negated = flags.get(name.substring(3));
                if (negated != null && negated.isBoolean) {
                    flag = negated;
                    value = "false";
                }
            }
            if (flag == null) {
                throw new UsageException("unknown flag --" + name);
            }
            if (value == null) {
                if (flag.isBoolean) {
                    value = "true";
                } else if (i + 1 < args.size()) {
                    value = args.get(++i);
                } else {
                    throw new UsageException("flag --" + flag.name + " needs a value");
                }
            }
            if (flag.set && !flag.repeatable) {
                throw new UsageException("flag --" + flag.name + " given more than once");
            }
            assign(flag, value);
        }
        return positional;
    }

    @SuppressWarnings("unchecked") // a repeatable flag's value is a List, its parser's too
    private static <T> void assign(Flag<T> flag, String value) throws UsageException {
        try {
            T parsed = flag.parser.apply(value);
            if (flag.repeatable && flag.set) {
                List<Object> all = new ArrayList<>((List<?>) flag.value);
                all.addAll((List<?>) parsed);
                parsed = (T) List.copyOf(all);
            }
            flag.value = parsed;
            flag.set = true;
        } catch (IllegalArgumentException e) {
            throw new UsageException("invalid value \"" + value + "\" for flag --" + flag.name + ": " + e.getMessage());
        }
    }

    /** A whole number for a {@link #custom} flag whose range a rule checks; the message reads after the flag. */
    public static long parseWhole(String value) {
        try {
            return Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not a whole number");
        }
    }

    /** The flag's value if the command line gave it, else {@code fromBase} (a config file's value). */
    public static <T> T pick(Flag<T> flag, T fromBase) {
        return flag.isSet() ? flag.value() : fromBase;
    }

    private static boolean parseBoolean(String value) {
        switch (value) {
            case "true":
                return true;
            case "false":
                return false;
            default:
                throw new IllegalArgumentException("must be true or false");
        }
    }

    /** The --help text: usage line, then one entry per flag with its default. */
    public String help() {
        StringBuilder out = new StringBuilder("usage: ").append(usage).append("\n\nFlags:\n");
        for (Flag<?> flag : flags.values()) {
            String left = flag.isBoolean ? "--[no-]" + flag.name
                    : "--" + flag.name + "=VALUE" + (flag.repeatable ? " ..." : "");
            out.append("  ").append(left);
            out.append(" ".repeat(Math.max(1, 34 - left.length())));
            out.append(flag.help);
            if (flag.isBoolean) {
                out.append(" (default: ").append(flag.defaultValue).append(')');
            } else if (flag.shownDefault != null && !flag.shownDefault.isEmpty()) {
                out.append(" (default: ").append(flag.shownDefault).append(')');
            }
            out.append('\n');
        }
        return out.toString();
    }
}
