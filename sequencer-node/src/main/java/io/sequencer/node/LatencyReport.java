package io.sequencer.node;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramIterationValue;
import org.HdrHistogram.HistogramLogWriter;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * A run's latency histogram as files an operator keeps and compares across runs: HdrHistogram's log (readable by its
 * own tools, {@code HistogramLogProcessor} and the plotter), its percentile table in microseconds, and an SVG plot of
 * the percentile distribution (a browser shows it; no plotting library needed).
 */
final class LatencyReport
{
    static final String LOG_FILE = "latency.hlog";
    static final String PERCENTILES_FILE = "latency.hgrm";
    static final String PLOT_FILE = "latency.svg";

    /** The highest percentile plotted: 1 - 10^-5, where a run of 100,000 events has its last few samples. */
    private static final double PLOTTED_NINES = 5;
    private static final int WIDTH = 800;
    private static final int HEIGHT = 420;
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
        Files.writeString(directory.resolve(PLOT_FILE), svg(histogram, title), StandardCharsets.UTF_8);
    }

    /** The percentile distribution on a log scale of 1/(1-p), latency in microseconds on a linear scale. */
    static String svg(final Histogram histogram, final String title)
    {
        final int plotWidth = WIDTH - LEFT - RIGHT;
        final int plotHeight = HEIGHT - TOP - BOTTOM;
        final double maxUs = Math.max(1, histogram.getValueAtPercentile(100 - 100 * Math.pow(10, -PLOTTED_NINES))) /
            1000.0;
        final double yMaxUs = niceCeiling(maxUs);
        final StringBuilder svg = new StringBuilder(8192);
        svg.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" " +
            "font-family=\"sans-serif\" font-size=\"12\">%n", WIDTH, HEIGHT));
        svg.append(String.format(Locale.ROOT, "<rect width=\"%d\" height=\"%d\" fill=\"white\"/>%n", WIDTH, HEIGHT));
        svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"22\" font-size=\"14\">%s</text>%n", LEFT,
            escape(title + ": " + histogram.getTotalCount() + " samples")));
        for (int nines = 0; nines <= PLOTTED_NINES; nines++)
        {
            final double x = LEFT + plotWidth * nines / PLOTTED_NINES;
            svg.append(String.format(Locale.ROOT,
                "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#ddd\"/>%n", x, TOP, x, TOP + plotHeight));
            svg.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>%n",
                x, TOP + plotHeight + 18, nines == 0 ? "0%" : percentileLabel(nines)));
        }
        for (int step = 0; step <= 5; step++)
        {
            final double y = TOP + plotHeight - plotHeight * step / 5.0;
            svg.append(String.format(Locale.ROOT,
                "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#ddd\"/>%n", LEFT, y, LEFT + plotWidth, y));
            svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>%n",
                LEFT - 6, y + 4, formatUs(yMaxUs * step / 5)));
        }
        svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">percentile</text>%n",
            LEFT + plotWidth / 2, HEIGHT - 8));
        svg.append(String.format(Locale.ROOT, "<text x=\"14\" y=\"%d\" transform=\"rotate(-90 14 %d)\" " +
            "text-anchor=\"middle\">intended send to durable ack (us)</text>%n",
            TOP + plotHeight / 2, TOP + plotHeight / 2));
        svg.append("<polyline fill=\"none\" stroke=\"#1f77b4\" stroke-width=\"2\" points=\"");
        for (final HistogramIterationValue value : histogram.percentiles(5))
        {
            final double p = value.getPercentileLevelIteratedTo() / 100.0;
            final double nines = p >= 1 ? PLOTTED_NINES : Math.min(PLOTTED_NINES, Math.log10(1 / (1 - p)));
            final double x = LEFT + plotWidth * nines / PLOTTED_NINES;
            final double us = Math.min(yMaxUs, histogram.highestEquivalentValue(value.getValueIteratedTo()) / 1000.0);
            final double y = TOP + plotHeight - plotHeight * us / yMaxUs;
            svg.append(String.format(Locale.ROOT, "%.1f,%.1f ", x, y));
            if (nines >= PLOTTED_NINES)
            {
                break;
            }
        }
        svg.append("\"/>\n</svg>\n");
        return svg.toString();
    }

    /** 90%, 99%, 99.9%, ... for one, two, three nines. */
    private static String percentileLabel(final int nines)
    {
        return nines == 1 ? "90%" : "99" + (nines > 2 ? "." + "9".repeat(nines - 2) : "") + "%";
    }

    /** 1, 2 or 5 times a power of ten, at or above {@code value}: round axis labels. */
    private static double niceCeiling(final double value)
    {
        final double power = Math.pow(10, Math.floor(Math.log10(value)));
        for (final double factor : new double[] { 1, 2, 5, 10 })
        {
            if (factor * power >= value)
            {
                return factor * power;
            }
        }
        return 10 * power;
    }

    private static String formatUs(final double us)
    {
        return us == Math.rint(us) ? String.format(Locale.ROOT, "%,.0f", us) : String.format(Locale.ROOT, "%.1f", us);
    }

    private static String escape(final String text)
    {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
