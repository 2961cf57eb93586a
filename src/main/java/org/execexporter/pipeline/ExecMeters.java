package org.execexporter.pipeline;

/**
 * Where the aggregator's numbers become metrics (the metrics package implements it). Called on
 * the aggregator thread only.
 */
public interface ExecMeters {
    /** Makes the meters of a new comm series: its counter reads {@link Series#total()}. */
    SeriesMeters register(Series series);

    /** A 1-second window closed with {@code execs} execs on the whole host (0 included). */
    void observeHostWindow(long execs);

    /** The meters of one comm series. */
    interface SeriesMeters {
        /** A 1-second window in which the comm had {@code execs} (at least 1) execs closed. */
        void observeWindow(long execs);

        /** The series' first exit with a status: registers its counter, which reads {@link CodeCount#total()}. */
        void registerExit(CodeCount count);

        /** The series' first failed exec with an errno: registers its counter, which reads {@link CodeCount#total()}. */
        void registerFailure(CodeCount count);

        /** An exit of the comm, {@code lifetimeNanos} after its process started. */
        void observeLifetime(long lifetimeNanos);

        /** Removes the series from the registry (idle expiry). */
        void remove();
    }
}
