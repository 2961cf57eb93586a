package org.execexporter.http;

import java.io.IOException;
import java.nio.channels.SelectableChannel;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.io.SelectorManager;
import org.eclipse.jetty.server.ConnectionFactory;
import org.eclipse.jetty.server.HttpChannel;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.thread.Scheduler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The listening socket, with bounds no client can stretch:
 * <ul>
 * <li>At most {@code maxConnections} connections at once. At the limit the connector stops
 *     accepting: new connections wait in the kernel's listen queue until one closes.</li>
 * <li>A deadline for the headers of each request: {@code headerTimeout} from the accept for the
 *     first one (the TLS handshake included), the idle timeout from the previous response for
 *     each later one on a kept-alive connection. The idle timeout alone restarts with every byte,
 *     so a client that drips one byte every few seconds would otherwise hold its connection forever.</li>
 * <li>A failure to accept, such as at the file descriptor limit, is one log line (Jetty's own is a
 *     stack trace, every second while it lasts).</li>
 * </ul>
 * What a client does within these bounds is not logged per connection; each bound that is
 * reached logs one line, at most once a minute.
 */
final class BoundedConnector extends ServerConnector {
    private static final Logger log = LoggerFactory.getLogger(BoundedConnector.class);
    private static final long LOG_INTERVAL_NANOS = TimeUnit.MINUTES.toNanos(1);
    private static final long ACCEPT_RETRY_MILLIS = 1000;

    private final int maxConnections;
    private final long headerTimeoutMillis;
    private final Object lock = new Object();
    /** Accepted and not yet closed, guarded by {@link #lock}. */
    private int connections;
    private final Map<EndPoint, Deadline> deadlines = new ConcurrentHashMap<>();
    private final AtomicLong limitLogged = new AtomicLong(System.nanoTime() - LOG_INTERVAL_NANOS);
    private final AtomicLong failureLogged = new AtomicLong(System.nanoTime() - LOG_INTERVAL_NANOS);

    BoundedConnector(Server server, int maxConnections, Duration headerTimeout, ConnectionFactory... factories) {
        // One acceptor and one selector: a scrape target needs no more, and they are threads of the pool.
        super(server, 1, 1, factories);
        this.maxConnections = maxConnections;
        this.headerTimeoutMillis = headerTimeout.toMillis();
        addBean(new Listener()); // on connections (open, close), on requests, on accepts
    }

    @Override
    public void accept(int acceptorID) throws IOException {
        synchronized (lock) {
            if (connections >= maxConnections) {
                logAtMostEveryMinute(limitLogged, "connection limit reached: " + maxConnections
                        + " connections open; new connections wait in the listen queue until one closes");
            }
            while (connections >= maxConnections && isRunning()) {
                try {
                    lock.wait(ACCEPT_RETRY_MILLIS);
                } catch (InterruptedException e) {
                    return; // stopping: the acceptor loop checks why
                }
            }
        }
        super.accept(acceptorID);
    }

    @Override
    protected boolean handleAcceptFailure(Throwable failure) {
        if (!isRunning() || failure instanceof InterruptedException) {
            return super.handleAcceptFailure(failure);
        }
        int open;
        synchronized (lock) {
            open = connections;
        }
        logAtMostEveryMinute(failureLogged, "cannot accept connections: " + failure.getMessage() + " ("
                + open + " open); retrying every second");
        try {
            Thread.sleep(ACCEPT_RETRY_MILLIS); // what Jetty does: a failing accept must not spin
            return true;
        } catch (InterruptedException e) {
            return false;
        }
    }

    private static void logAtMostEveryMinute(AtomicLong last, String message) {
        long now = System.nanoTime();
        long previous = last.get();
        if (now - previous >= LOG_INTERVAL_NANOS && last.compareAndSet(previous, now)) {
            log.warn(message);
        }
    }

    private void released() {
        synchronized (lock) {
            connections--;
            lock.notifyAll();
        }
    }

    @Override
    protected void onEndPointClosed(EndPoint endPoint) {
        super.onEndPointClosed(endPoint);
        disarm(endPoint);
        released();
    }

    /** The socket's own end point, under TLS's decrypting one. */
    private static EndPoint network(EndPoint endPoint) {
        while (endPoint instanceof EndPoint.Wrapper wrapper) {
            endPoint = wrapper.unwrap();
        }
        return endPoint;
    }

    private void arm(EndPoint endPoint, long millis) {
        if (!endPoint.isOpen() || millis <= 0) {
            return;
        }
        Deadline deadline = new Deadline(endPoint);
        Deadline previous = deadlines.put(endPoint, deadline);
        if (previous != null) {
            previous.task.cancel();
        }
        deadline.task = getScheduler().schedule(deadline, millis, TimeUnit.MILLISECONDS);
        if (!endPoint.isOpen()) { // closed meanwhile: its close may have missed this deadline
            disarm(endPoint);
        }
    }

    private void disarm(EndPoint endPoint) {
        Deadline deadline = deadlines.remove(endPoint);
        if (deadline != null && deadline.task != null) {
            deadline.task.cancel();
        }
    }

    /** Closes a connection whose request headers are late, unless disarmed or replaced first. */
    private final class Deadline implements Runnable {
        private final EndPoint endPoint;
        private volatile Scheduler.Task task;

        Deadline(EndPoint endPoint) {
            this.endPoint = endPoint;
        }

        @Override
        public void run() {
            if (deadlines.remove(endPoint, this)) {
                endPoint.close();
            }
        }
    }

    private final class Listener implements Connection.Listener, HttpChannel.Listener, SelectorManager.AcceptListener {
        @Override
        public void onAccepting(SelectableChannel channel) {
            synchronized (lock) {
                connections++;
            }
        }

        @Override
        public void onAcceptFailed(SelectableChannel channel, Throwable cause) {
            released();
        }

        @Override
        public void onOpened(Connection connection) {
            EndPoint endPoint = connection.getEndPoint();
            if (network(endPoint) == endPoint) { // the socket's first connection, not TLS's inner one
                arm(endPoint, headerTimeoutMillis);
            }
        }

        @Override
        public void onClosed(Connection connection) {
        }

        @Override
        public void onRequestBegin(Request request) {
            disarm(network(request.getHttpChannel().getEndPoint()));
        }

        @Override
        public void onComplete(Request request) {
            arm(network(request.getHttpChannel().getEndPoint()), getIdleTimeout());
        }
    }
}
