package org.execexporter.attribution;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.execexporter.attribution.AttributionLabel.COMM;
import static org.execexporter.attribution.AttributionLabel.CONTAINER;
import static org.execexporter.attribution.AttributionLabel.POD;
import static org.execexporter.attribution.AttributionLabel.UNIT;
import static org.execexporter.attribution.AttributionLabel.USER;
import static org.execexporter.attribution.AttributionLabel.USER_UNIT;

import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class AttributionLabelTest {
    static Stream<Arguments> lists() {
        return Stream.of(
                Arguments.of("comm", List.of(COMM)),
                Arguments.of("comm,unit,container,user", List.of(COMM, UNIT, CONTAINER, USER)),
                Arguments.of("user, container ,comm", List.of(COMM, CONTAINER, USER)),   // metrics order, spaces ok
                Arguments.of("unit", List.of(UNIT)),
                Arguments.of("pod,user_unit", List.of(USER_UNIT, POD)));
    }

    @ParameterizedTest
    @MethodSource("lists")
    void parses(String list, List<AttributionLabel> expected) {
        assertThat(AttributionLabel.parseList(list)).isEqualTo(expected);
    }

    static Stream<Arguments> badLists() {
        String all = "the labels are comm, unit, user_unit, container, pod, user";
        return Stream.of(
                Arguments.of("comm,binary", "unknown label \"binary\" in \"comm,binary\": " + all),
                Arguments.of("", "empty label in \"\": " + all),
                Arguments.of("comm,", "empty label in \"comm,\": " + all),
                Arguments.of("Comm", "unknown label \"Comm\" in \"Comm\": " + all),
                Arguments.of("unit,comm,unit", "label \"unit\" twice in \"unit,comm,unit\""));
    }

    @ParameterizedTest
    @MethodSource("badLists")
    void aBadListSaysWhatIsWrong(String list, String message) {
        assertThatThrownBy(() -> AttributionLabel.parseList(list)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage(message);
    }
}
