package io.github.camelrelay.smtprelay.internal.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Recipient resolution on its own, with the tricks that have made servers open relays over the years. */
class RelayPolicyTest {

    private final RelayPolicy policy = new RelayPolicy(RelayNetworks.parse("192.0.2.0/24"),
            LocalDomains.parse("local.test,bücher.example,[192.0.2.1]"));

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
            "user@local.test|user@local.test",
            "User@LOCAL.TEST|User@local.test",
            "user@local.test.|user@local.test",
            "\"quoted user\"@local.test|\"quoted user\"@local.test",
            "user@xn--bcher-kva.example|user@xn--bcher-kva.example",
            "user@bücher.example|user@xn--bcher-kva.example",
            "user@[192.0.2.1]|user@[192.0.2.1]",
            "Postmaster|postmaster@local.test",
            "first.last+tag@local.test|first.last+tag@local.test"})
    void plainLocalRecipientsAreAcceptedFromAnyoneInCanonicalForm(String path, String expected) throws Exception {
        assertThat(policy.recipient(path, false).address()).isEqualTo(expected);
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
            "user@elsewhere.example|554",
            "user@sub.local.test|554",
            "user@local.test.elsewhere.example|554",
            "user@[192.0.2.2]|554",
            "user@[192.000.002.001]|554",
            "user%elsewhere.example@local.test|554",
            "elsewhere.example!user@local.test|554",
            "\"user@elsewhere.example\"@local.test|554",
            "\"user%elsewhere.example\"@local.test|554",
            "\"user\\@elsewhere.example\"@local.test|554",
            "user@elsewhere.example@local.test|501",
            "@local.test:user@elsewhere.example|501",
            "@local.test,@other.example:user@elsewhere.example|501",
            "elsewhere.example!user|501",
            "\"user@elsewhere.example\"|501",
            "user|501",
            "|501",
            "user@|501",
            "@local.test|501",
            "user@local..test|501",
            "user@-local.test|501",
            "user@local_test|501",
            "user name@local.test|501",
            "user\\@x@local.test|501",
            "user@local.test:25|501",
            "user@[IPv6:::1|501",
            "user@[local.test]|501"})
    void anythingElseIsRefusedForAClientThatMayNotRelay(String path, int code) {
        assertThatThrownBy(() -> policy.recipient(path == null ? "" : path, false)).isInstanceOfSatisfying(RejectException.class,
                e -> {
                    assertThat(e.getCode()).isEqualTo(code);
                    assertThat(e.getMessage()).startsWith(code == 554 ? "5.7.1 <" : "5.1.3 ");
                });
    }

    @Test
    void aClientThatMayRelayReachesAnyDomainButStillNotMalformedAddresses() throws Exception {
        assertThat(policy.recipient("user@elsewhere.example", true).address()).isEqualTo("user@elsewhere.example");
        assertThat(policy.recipient("user%other.example@elsewhere.example", true).localPart()).isEqualTo("user%other.example");
        assertThatThrownBy(() -> policy.recipient("@a.example:user@elsewhere.example", true))
                .isInstanceOfSatisfying(RejectException.class, e -> assertThat(e.getCode()).isEqualTo(501));
    }

    @Test
    void relayingIsForAuthenticatedUsersAndRelayNetworks() throws Exception {
        assertThat(policy.mayRelay(InetAddress.getByName("192.0.2.77"), false)).isTrue();
        assertThat(policy.mayRelay(InetAddress.getByName("198.51.100.1"), false)).isFalse();
        assertThat(policy.mayRelay(InetAddress.getByName("198.51.100.1"), true)).isTrue();
    }

    @Test
    void aBarePostmasterNeedsALocalDomain() {
        RelayPolicy none = new RelayPolicy(RelayNetworks.none(), LocalDomains.parse(""));
        assertThatThrownBy(() -> none.recipient("postmaster", true))
                .isInstanceOfSatisfying(RejectException.class, e -> assertThat(e.getErrorResponse())
                        .isEqualTo("550 5.1.1 <postmaster>: no local domain is configured"));
    }

    @Test
    void sendersArePlainAddressesOrTheNullSender() throws Exception {
        assertThat(RelayPolicy.sender("").isNullSender()).isTrue();
        assertThat(RelayPolicy.sender("a@B.example").address()).isEqualTo("a@b.example");
        assertThatThrownBy(() -> RelayPolicy.sender("@relay.example:a@b.example"))
                .isInstanceOfSatisfying(RejectException.class, e -> assertThat(e.getErrorResponse()).startsWith("501 5.1.7 "));
        assertThatThrownBy(() -> RelayPolicy.sender("a"))
                .isInstanceOfSatisfying(RejectException.class, e -> assertThat(e.getErrorResponse()).startsWith("501 5.1.7 "));
    }

    @Test
    void localDomainsThatAreNotDomainsAreRefusedByName() {
        assertThatThrownBy(() -> LocalDomains.parse("good.example,bad domain")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("bad domain");
    }
}
