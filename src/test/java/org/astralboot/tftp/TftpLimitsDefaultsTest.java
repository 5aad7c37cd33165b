package org.astralboot.tftp;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import org.astralboot.config.Config;
import org.astralboot.tftp.engine.TftpLimits;
import org.junit.jupiter.api.Test;

/** The engine may not import the config, so its short-constructor defaults are held equal here. */
class TftpLimitsDefaultsTest {
    @Test
    void engineDefaultsAreTheConfigDefaults() {
        assertEquals(Config.Tftp.DEFAULT_ACK_SPIN_MICROS, TftpLimits.DEFAULT_ACK_SPIN_MICROS);
        assertEquals(Config.Tftp.DEFAULT_MAX_CLIENT_TIMEOUT, TftpLimits.DEFAULT_MAX_CLIENT_TIMEOUT);
        assertEquals(Config.Tftp.DEFAULT_FIRST_ACK_TIMEOUT, TftpLimits.DEFAULT_FIRST_ACK_TIMEOUT);
    }

    @Test
    void serviceBuildsTheLimitsFromEveryKey() {
        Config.Tftp t = new Config.Tftp(69, 1400, 32, 10, Duration.ofMillis(700), 3, 50, Duration.ofSeconds(20),
                Duration.ofSeconds(4), 2);
        assertEquals(new TftpLimits(1400, 32, Duration.ofMillis(700), 3, 50, Duration.ofSeconds(20),
                Duration.ofSeconds(4)), TftpService.limits(t));
    }
}
