package org.repgeom.cli;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.util.Locale;

/**
 * The most Java heap this process has used: the sum over heap memory pools of each pool's peak
 * usage (eden, survivor, old). The pools peak at different moments, so the sum is an upper bound
 * of the true peak — safe for a claim such as "below 2 GiB".
 */
final class HeapPeak {
    private HeapPeak() {
    }

    /** Peak heap bytes (upper bound, see class comment). */
    static long bytes() {
        long sum = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP && pool.getPeakUsage() != null) sum += pool.getPeakUsage().getUsed();
        }
        return sum;
    }

    /** "peak Java heap N MiB (max M MiB)", the line the CLI prints on stderr at the end of a run. */
    static String line() {
        long max = Runtime.getRuntime().maxMemory();
        return String.format(Locale.ROOT, "peak Java heap %d MiB (max %d MiB)", bytes() >> 20, max >> 20);
    }
}
