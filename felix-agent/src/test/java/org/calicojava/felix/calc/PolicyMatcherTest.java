package org.calicojava.felix.calc;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The selector cache: bounded however many selector texts policies were ever written with. */
class PolicyMatcherTest {
    @Test
    void theSelectorCacheStaysBoundedAndABadSelectorIsReportedOnceWhileCached() {
        List<String> problems = new ArrayList<>();
        PolicyMatcher m = new PolicyMatcher(problems::add);
        for (int i = 0; i < PolicyMatcher.MAX_CACHED + 1_000; i++) {
            assertThat(m.selector("role == 'r" + i + "'", "policy t/p")).isNotNull();
        }
        assertThat(m.cachedSelectors()).isLessThanOrEqualTo(PolicyMatcher.MAX_CACHED);
        assertThat(m.selector("role ==", "policy t/bad")).isNull();
        assertThat(m.selector("role ==", "policy t/bad")).isNull();
        assertThat(problems).hasSize(1).first().asString().startsWith("policy t/bad: ");
    }
}
