package org.execexporter.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ListenAddressTest {

    @ParameterizedTest
    @CsvSource({
        ":10135, '', 10135, :10135",
        "127.0.0.1:0, 127.0.0.1, 0, 127.0.0.1:0",
        "[::1]:8080, ::1, 8080, [::1]:8080",
        "localhost:1, localhost, 1, localhost:1",
    })
    void parses(String text, String host, int port, String shown) {
        ListenAddress a = ListenAddress.parse(text);
        assertThat(a).isEqualTo(new ListenAddress(host, port));
        assertThat(a.toString()).isEqualTo(shown);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "10135        | must be host:port or :port",
        "::1:80       | an IPv6 address must be in brackets, like [::1]:10135",
        "host:        | port must be a number from 0 to 65535",
        "host:65536   | port must be a number from 0 to 65535",
        "host:-1      | port must be a number from 0 to 65535",
    })
    void rejects(String text, String message) {
        assertThatThrownBy(() -> ListenAddress.parse(text)).hasMessage(message);
    }

    @ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"a\nb:1", "a\u001b[31m:1", "a b:1", "\t:1", "x\u0085:1"})
    void rejectsHostsWithSpacesOrControlCharacters(String text) {
        assertThatThrownBy(() -> ListenAddress.parse(text))
                .hasMessage("the host must hold no spaces or control characters");
    }
}
