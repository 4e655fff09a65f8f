package io.github.camelrelay.smtprelay.producer;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.core.config.Configurator;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.config.Property;

/**
 * Captures what is logged through log4j2 (the SLF4J binding of the tests) while it is open: an appender on the root
 * logger that keeps every event it sees. {@link #raise(String, Level)} lowers a logger's threshold for the capture
 * only (the console keeps its INFO filter) and is undone by {@link #close()}.
 */
final class LogCapture implements AutoCloseable {

    /** One captured event: logger name, level, the formatted message and the stack trace text, if any. */
    record Line(String logger, Level level, String message, String thrown) {

        /** Everything that would reach a log file, for "never appears in logs" assertions. */
        String all() {
            return logger + " " + level + " " + message + (thrown == null ? "" : "\n" + thrown);
        }
    }

    private final List<Line> lines = new CopyOnWriteArrayList<>();
    private final LoggerContext context;
    private final AbstractAppender appender;
    private final Map<String, Level> previousLevels = new HashMap<>();

    private LogCapture() {
        context = (LoggerContext) LogManager.getContext(false);
        appender = new AbstractAppender("capture-" + UUID.randomUUID(), null, null, true, Property.EMPTY_ARRAY) {
            @Override
            public void append(LogEvent event) {
                String thrown = null;
                if (event.getThrown() != null) {
                    StringWriter sw = new StringWriter();
                    event.getThrown().printStackTrace(new PrintWriter(sw));
                    thrown = sw.toString();
                }
                lines.add(new Line(event.getLoggerName(), event.getLevel(), event.getMessage().getFormattedMessage(),
                        thrown));
            }
        };
        appender.start();
        Configuration config = context.getConfiguration();
        config.addAppender(appender);
        config.getRootLogger().addAppender(appender, Level.ALL, null);
        context.updateLoggers();
    }

    static LogCapture start() {
        return new LogCapture();
    }

    /** Lets {@code logger} (and its children) log at {@code level} while the capture is open. */
    LogCapture raise(String logger, Level level) {
        LoggerConfig config = context.getConfiguration().getLoggerConfig(logger);
        previousLevels.putIfAbsent(logger, config.getName().equals(logger) ? config.getLevel() : null);
        Configurator.setLevel(logger, level);
        return this;
    }

    List<Line> lines() {
        return new ArrayList<>(lines);
    }

    /** The messages logged under {@code logger} (exact logger name). */
    List<String> messages(String logger) {
        return lines.stream().filter(l -> l.logger().equals(logger)).map(Line::message).toList();
    }

    @Override
    public void close() {
        Configuration config = context.getConfiguration();
        config.getRootLogger().removeAppender(appender.getName());
        for (Map.Entry<String, Level> e : previousLevels.entrySet()) {
            Configurator.setLevel(e.getKey(), e.getValue() == null ? config.getRootLogger().getLevel() : e.getValue());
        }
        context.updateLoggers();
        appender.stop();
    }
}
