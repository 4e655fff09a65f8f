package io.github.camelrelay.smtprelay.internal.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class CidrTest {

    @ParameterizedTest
    @CsvSource({
            "127.0.0.0/8, 127.0.0.1, true",
            "127.0.0.0/8, 127.255.255.254, true",
            "127.0.0.0/8, 128.0.0.1, false",
            "192.0.2.0/24, 192.0.2.255, true",
            "192.0.2.0/24, 192.0.3.0, false",
            "192.0.2.7, 192.0.2.7, true",
            "192.0.2.7/32, 192.0.2.8, false",
            "0.0.0.0/0, 203.0.113.9, true",
            "0.0.0.0/0, ::1, false",
            "::1/128, ::1, true",
            "::1, 0:0:0:0:0:0:0:1, true",
            "::1/128, ::2, false",
            "2001:db8::/32, 2001:db8:ffff::1, true",
            "2001:db8::/32, 2001:db9::1, false",
            "2001:DB8::/33, 2001:db8:7fff::1, true",
            "2001:db8::/33, 2001:db8:8000::1, false",
            "::/0, 2001:db8::1, true",
            "::/0, 10.0.0.1, false",
            "::ffff:10.0.0.0/104, 10.1.2.3, true",
            "10.0.0.0/8, ::ffff:10.1.2.3, true"})
    void containsExactlyTheAddressesOfTheNetwork(String network, String address, boolean expected) throws Exception {
        assertThat(Cidr.parse(network).contains(InetAddress.getByName(address))).isEqualTo(expected);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "localhost", "example.com/24", "10.0.0.0/33", "::/129", "10.0.0.0/", "10.0.0.0/x",
            "10.0.0.1/8", "2001:db8::1/32", "256.0.0.0/8", "10.0.0/8", "1.2.3.4.5"})
    void refusesAnythingButANetworkAddressLiteral(String text) {
        assertThatThrownBy(() -> Cidr.parse(text)).isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("Expected");
    }

    @ParameterizedTest
    @ValueSource(strings = {"10.0.0.1/8"})
    void aNetworkWithHostBitsSuggestsTheRightOne(String text) {
        assertThatThrownBy(() -> Cidr.parse(text)).hasMessageContaining("such as '10.0.0.0/8'");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "127.0.0.0/8,::1/128|127.0.0.1|true",
            "127.0.0.0/8,::1/128|::1|true",
            "127.0.0.0/8,::1/128|10.0.0.1|false",
            " 10.0.0.0/8 , 2001:db8::/32 |2001:db8::5|true",
            "''|127.0.0.1|false"})
    void relayNetworksIsAnyOfItsNetworks(String list, String address, boolean expected) throws Exception {
        assertThat(RelayNetworks.parse(list).contains(InetAddress.getByName(address))).isEqualTo(expected);
        assertThat(RelayNetworks.LOOPBACK.networks()).hasSize(2);
    }
}
