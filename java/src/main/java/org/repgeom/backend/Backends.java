package org.repgeom.backend;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Which backends can run here, and the best of them. CUDA is preferred when a device and its
 * kernels load, then the native CPU library, then the Java reference (always present).
 */
public final class Backends {
    private Backends() {
    }

    /** Whether a backend loads on this machine and, if not, why. */
    public record Availability(String name, boolean available, String reason) {
    }

    /** Every known backend, best first, with its availability. */
    public static List<Availability> survey() {
        List<Availability> out = new ArrayList<>();
        if (CudaBackend.isAvailable()) {
            out.add(new Availability("cuda", true, CudaBackend.description()));
        } else {
            out.add(new Availability("cuda", false, CudaBackend.unavailableReason()));
        }
        if (NativeKernels.isAvailable()) {
            out.add(new Availability("native", true, "native CPU library loaded (" + NativeKernels.instructionSet() + " kernels, "
                    + Runtime.getRuntime().availableProcessors() + " threads)"));
        } else {
            out.add(new Availability("native", false, NativeKernels.unavailableReason()));
        }
        out.add(new Availability("java", true, "reference backend, always available ("
                + Runtime.getRuntime().availableProcessors() + " threads)"));
        return out;
    }

    /** The best available backend and the line that says why it was chosen. */
    public static Backend auto() {
        for (Availability a : survey()) {
            if (a.available()) return create(a.name());
        }
        throw new IllegalStateException("no backend available");
    }

    /** The backend called {@code name} ("auto", "java", "native", "cuda"), or an error saying why it cannot run. */
    public static Backend byName(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        if (n.equals("auto")) return auto();
        for (Availability a : survey()) {
            if (a.name().equals(n)) {
                if (!a.available()) throw new IllegalArgumentException("backend '" + n + "' is not available: " + a.reason());
                return create(n);
            }
        }
        throw new IllegalArgumentException("unknown backend '" + name + "' (expected auto, java, native or cuda)");
    }

    private static Backend create(String name) {
        if (name.equals("java")) return new JavaBackend();
        if (name.equals("native")) return new NativeBackend();
        if (name.equals("cuda")) return new CudaBackend();
        throw new IllegalArgumentException("backend '" + name + "' is not available");
    }
}
