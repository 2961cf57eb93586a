package org.execexporter.daemon;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.OutputStreamAppender;
import java.util.Iterator;
import org.execexporter.config.LogFormat;
import org.execexporter.config.LogLevel;
import org.execexporter.log.PromslogEncoder;
import org.slf4j.LoggerFactory;

/**
 * Applies log.level and log.format over the logback configuration in use (the built-in one, or an
 * operator's file given with -Dlogback.configurationFile), at start and again on each reload. The
 * level sets the root logger; the format is set on each promslog encoder of the root's stream
 * appenders, and json replaces any other encoder by one.
 */
final class LogSetup {
    private LogSetup() {}

    static void apply(LogLevel level, LogFormat format) {
        if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext context)) {
            return; // another SLF4J backend: it is configured its own way
        }
        Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        root.setLevel(Level.toLevel(level.name()));
        String name = format == LogFormat.JSON ? PromslogEncoder.JSON : PromslogEncoder.LOGFMT;
        for (Iterator<Appender<ILoggingEvent>> it = root.iteratorForAppenders(); it.hasNext(); ) {
            if (!(it.next() instanceof OutputStreamAppender<ILoggingEvent> appender)) {
                continue;
            }
            if (appender.getEncoder() instanceof PromslogEncoder promslog) {
                promslog.setFormat(name);
            } else if (format == LogFormat.JSON) {
                PromslogEncoder encoder = new PromslogEncoder();
                encoder.setContext(context);
                encoder.setFormat(name);
                encoder.start();
                appender.stop();
                appender.setEncoder(encoder);
                appender.start();
            }
        }
    }
}
