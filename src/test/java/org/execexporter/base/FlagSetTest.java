package org.execexporter.base;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class FlagSetTest {
    private final FlagSet flags = new FlagSet("test");
    private final FlagSet.Flag<Boolean> json = flags.bool("json", false, "json");
    private final FlagSet.Flag<Integer> pages = flags.integer("bpf.ring-pages", 64, 1, 1024, "pages");
    private final FlagSet.Flag<Duration> timeout = flags.duration("bpf.poll-timeout", Duration.ofMillis(100), "t");
    private final FlagSet.Flag<String> address = flags.string("web.listen-address", ":10135", "addr");

    @Test
    void defaultsWhenNotGiven() throws UsageException {
        assertThat(flags.parse(List.of())).isEmpty();
        assertThat(json.value()).isFalse();
        assertThat(pages.value()).isEqualTo(64);
        assertThat(pages.isSet()).isFalse();
        assertThat(address.value()).isEqualTo(":10135");
    }

    @Test
    void bothValueForms() throws UsageException {
        flags.parse(List.of("--bpf.ring-pages=128", "--web.listen-address", "127.0.0.1:0", "--json",
                "--bpf.poll-timeout=1s"));
        assertThat(pages.value()).isEqualTo(128);
        assertThat(pages.isSet()).isTrue();
        assertThat(address.value()).isEqualTo("127.0.0.1:0");
        assertThat(json.value()).isTrue();
        assertThat(timeout.value()).isEqualTo(Duration.ofSeconds(1));
    }

    @Test
    void negatedBoolean() throws UsageException {
        flags.parse(List.of("--no-json"));
        assertThat(json.value()).isFalse();
        assertThat(json.isSet()).isTrue();
    }

    @Test
    void positionalArgumentsAreReturned() throws UsageException {
        assertThat(flags.parse(List.of("a", "--json", "--", "--b"))).containsExactly("a", "--b");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "--bogus                     | unknown flag --bogus",
        "-x                          | unknown flag -x",
        "--bpf.ring-pages            | flag --bpf.ring-pages needs a value",
        "--bpf.ring-pages=many       | invalid value \"many\" for flag --bpf.ring-pages: not a whole number",
        "--bpf.ring-pages=0          | invalid value \"0\" for flag --bpf.ring-pages: must be from 1 to 1024",
        "--json=yes                  | invalid value \"yes\" for flag --json: must be true or false",
        "--bpf.poll-timeout=10       | invalid value \"10\" for flag --bpf.poll-timeout: not a duration (like 250ms, 30s, 5m, 1h): \"10\"",
        "--no-bpf.ring-pages         | unknown flag --no-bpf.ring-pages",
    })
    void errorsAreOneLineNamingTheFlag(String arg, String message) {
        assertThatThrownBy(() -> flags.parse(List.of(arg))).isInstanceOf(UsageException.class).hasMessage(message);
    }

    @Test
    void aFlagGivenTwiceIsAnError() {
        assertThatThrownBy(() -> flags.parse(List.of("--json", "--json")))
                .hasMessage("flag --json given more than once");
    }

    @Test
    void aRepeatableFlagAddsUpItsValuesInOrder() throws UsageException {
        FlagSet set = new FlagSet("test");
        FlagSet.Flag<List<Integer>> ports = set.repeatable("port", List.of(1), "1", "ports", Integer::parseInt);
        assertThat(ports.value()).containsExactly(1);
        set.parse(List.of("--port=3", "--port", "2"));
        assertThat(ports.value()).containsExactly(3, 2);
        assertThat(ports.isSet()).isTrue();
        assertThat(set.help()).contains("--port=VALUE ...");
        assertThatThrownBy(() -> set.parse(List.of("--port=x")))
                .hasMessage("invalid value \"x\" for flag --port: For input string: \"x\"");
    }

    @Test
    void helpListsEveryFlagWithItsDefault() {
        assertThat(flags.help()).contains("--[no-]json", "--bpf.ring-pages=VALUE", "(default: 64)", "(default: 100ms)",
                "(default: :10135)");
    }
}
