package io.sequencer.node;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramIterationValue;
import org.HdrHistogram.HistogramLogWriter;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * A run's latency histogram as files an operator keeps and compares across runs: HdrHistogram's log (readable by its
 * own tools, {@code HistogramLogProcessor} and the plotter), its percentile table in microseconds, and an SVG plot of
 * the percentile distribution (a browser shows it; no plotting library needed). The end-to-end benchmark
 * ({@code benchmarks}) plots several systems' distributions with the same {@link #svg}.
 */
public final class LatencyReport
{
    /** A curve: its label and its histogram (values in ns). */
    public record Series(String label, Histogram histogram)
    {
    }

    private static final String[] COLOURS = { "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728" };
    static final String LOG_FILE = "latency.hlog";
    static final String PERCENTILES_FILE = "latency.hgrm";
    static final String PLOT_FILE = "latency.svg";

    /** The highest percentile plotted: 1 - 10^-5, where a run of 100,000 events has its last few samples. */
    private static final double PLOTTED_NINES = 5;
    private static final int WIDTH = 820;
    private static final int HEIGHT = 440;
    private static final int LEFT = 70;
    private static final int RIGHT = 20;
    private static final int TOP = 40;
    private static final int BOTTOM = 50;

    private LatencyReport()
    {
    }

    /**
     * Write the three files of {@code histogram} (values in ns) into {@code directory}, created if missing.
     *
     * @param startMs the run's start, wall clock: the log's start time and the histogram's interval.
     */
    static void write(
        final Path directory, final Histogram histogram, final long startMs, final long endMs, final String title)
        throws IOException
    {
        Files.createDirectories(directory);
        histogram.setStartTimeStamp(startMs);
        histogram.setEndTimeStamp(endMs);
        try (PrintStream log = new PrintStream(
            Files.newOutputStream(directory.resolve(LOG_FILE)), false, StandardCharsets.UTF_8))
        {
            final HistogramLogWriter writer = new HistogramLogWriter(log);
            writer.outputComment(title + ": latency from the intended send time to the durable acknowledgement, in ns");
            writer.outputLogFormatVersion();
            writer.outputStartTime(startMs);
            writer.setBaseTime(startMs);
            writer.outputLegend();
            writer.outputIntervalHistogram(histogram);
        }
        try (PrintStream table = new PrintStream(
            Files.newOutputStream(directory.resolve(PERCENTILES_FILE)), false, StandardCharsets.UTF_8))
        {
            histogram.outputPercentileDistribution(table, 1000.0); // in microseconds
        }
        Files.writeString(directory.resolve(PLOT_FILE), svg(title, List.of(new Series("intended send to durable ack",
            histogram))), StandardCharsets.UTF_8);
    }

    /**
     * The percentile distributions of {@code series}, one curve each: percentile on a log scale of 1/(1-p) across,
     * latency in microseconds on a log scale up (systems compared side by side differ by orders of magnitude in their
     * tails).
     */
    public static String svg(final String title, final List<Series> series)
    {
        final int plotWidth = WIDTH - LEFT - RIGHT;
        final int plotHeight = HEIGHT - TOP - BOTTOM;
        double maxUs = 10;
        for (final Series s : series)
        {
            if (s.histogram().getTotalCount() > 0)
            {
                maxUs = Math.max(maxUs, s.histogram().getMaxValue() / 1000.0);
            }
        }
        final double decades = Math.ceil(Math.log10(maxUs)); // from 1 us to 10^decades us
        final StringBuilder svg = new StringBuilder(16384);
        svg.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" " +
            "font-family=\"sans-serif\" font-size=\"12\">%n", WIDTH, HEIGHT));
        svg.append(String.format(Locale.ROOT, "<rect width=\"%d\" height=\"%d\" fill=\"white\"/>%n", WIDTH, HEIGHT));
        svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"22\" font-size=\"14\">%s</text>%n", LEFT,
            escape(title)));
        for (int nines = 0; nines <= PLOTTED_NINES; nines++)
        {
            final double x = LEFT + plotWidth * nines / PLOTTED_NINES;
            svg.append(String.format(Locale.ROOT,
                "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#ddd\"/>%n", x, TOP, x, TOP + plotHeight));
            svg.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>%n",
                x, TOP + plotHeight + 18, nines == 0 ? "0%" : percentileLabel(nines)));
        }
        for (int decade = 0; decade <= decades; decade++)
        {
            final double y = TOP + plotHeight - plotHeight * decade / decades;
            svg.append(String.format(Locale.ROOT,
                "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#ddd\"/>%n", LEFT, y, LEFT + plotWidth, y));
            svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%,.0f</text>%n",
                LEFT - 6, y + 4, Math.pow(10, decade)));
        }
        svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">percentile</text>%n",
            LEFT + plotWidth / 2, HEIGHT - 8));
        svg.append(String.format(Locale.ROOT, "<text x=\"14\" y=\"%d\" transform=\"rotate(-90 14 %d)\" " +
            "text-anchor=\"middle\">intended send to acknowledgement (us, log)</text>%n",
            TOP + plotHeight / 2, TOP + plotHeight / 2));
        for (int i = 0; i < series.size(); i++)
        {
            final Series s = series.get(i);
            final String colour = COLOURS[i % COLOURS.length];
            svg.append(String.format(Locale.ROOT,
                "<text x=\"%d\" y=\"%d\" fill=\"%s\">%s (%,d samples)</text>%n",
                LEFT + 10, TOP + 16 + 16 * i, colour, escape(s.label()), s.histogram().getTotalCount()));
            if (s.histogram().getTotalCount() == 0)
            {
                continue;
            }
            svg.append("<polyline fill=\"none\" stroke=\"").append(colour).append("\" stroke-width=\"2\" points=\"");
            for (final HistogramIterationValue value : s.histogram().percentiles(5))
            {
                final double p = value.getPercentileLevelIteratedTo() / 100.0;
                final double nines = p >= 1 ? PLOTTED_NINES : Math.min(PLOTTED_NINES, Math.log10(1 / (1 - p)));
                final double x = LEFT + plotWidth * nines / PLOTTED_NINES;
                final double us = Math.max(1, s.histogram().highestEquivalentValue(value.getValueIteratedTo()) / 1e3);
                final double y = TOP + plotHeight - plotHeight * Math.log10(us) / decades;
                svg.append(String.format(Locale.ROOT, "%.1f,%.1f ", x, y));
                if (nines >= PLOTTED_NINES)
                {
                    break;
                }
            }
            svg.append("\"/>\n");
        }
        svg.append("</svg>\n");
        return svg.toString();
    }

    /** 90%, 99%, 99.9%, ... for one, two, three nines. */
    private static String percentileLabel(final int nines)
    {
        return nines == 1 ? "90%" : "99" + (nines > 2 ? "." + "9".repeat(nines - 2) : "") + "%";
    }

    private static String escape(final String text)
    {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
