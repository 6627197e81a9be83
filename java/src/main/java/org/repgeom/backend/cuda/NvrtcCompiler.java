package org.repgeom.backend.cuda;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * Run-time compilation of the packed compute-kernel source with NVRTC, through LWJGL's binding
 * ({@code org.lwjgl:lwjgl-cuda} 3.3.x). Used only when no binary of the embedded fatbin loads on the
 * device (a GPU newer or older than the build's architectures, a driver older than the PTX). Every
 * LWJGL reference is in this class, so nothing else loads LWJGL.
 *
 * <p>LWJGL opens libnvrtc with dlopen, so any NVRTC version works (JCuda's own binding is linked
 * against libnvrtc.so.12 only). The library is found, in order, at the path of the system property
 * {@code repgeom.cuda.nvrtc}, in {@code $CUDA_PATH/lib64}, {@code $CUDA_HOME/lib64},
 * {@code /usr/local/cuda/lib64}, the targets directory of the toolkit, the directories of
 * {@code LD_LIBRARY_PATH} and the system library directories; the newest {@code libnvrtc.so*}
 * there, with the {@code libnvrtc-builtins.so*} beside it.
 */
public final class NvrtcCompiler {
    private static final String REASON;
    private static final Path LIBRARY;

    static {
        Path lib = null;
        String reason = null;
        try {
            lib = find();
            if (lib == null) {
                reason = "libnvrtc not found (set -Drepgeom.cuda.nvrtc=/path/to/libnvrtc.so)";
            } else {
                Path builtins = builtinsBeside(lib);
                org.lwjgl.system.Configuration.CUDA_NVRTC_LIBRARY_NAME.set(lib.toString());
                if (builtins != null) org.lwjgl.system.Configuration.CUDA_NVRTC_BUILTINS_LIBRARY_NAME.set(builtins.toString());
                org.lwjgl.cuda.NVRTC.getLibrary(); // loads it now, so that a failure is reported here
            }
        } catch (Throwable t) { // LinkageError from LWJGL's natives, UnsatisfiedLinkError from dlopen ...
            reason = "NVRTC does not load: " + firstLine(t);
        }
        LIBRARY = lib;
        REASON = reason;
    }

    private NvrtcCompiler() {
    }

    /** True when NVRTC loaded. */
    public static boolean isAvailable() {
        return REASON == null;
    }

    /** Why NVRTC cannot be used, or null. */
    public static String unavailableReason() {
        return REASON;
    }

    /** The libnvrtc file in use (null when unavailable). */
    public static Path library() {
        return LIBRARY;
    }

    static String firstLine(Throwable t) {
        String m = t.getMessage() == null ? t.toString() : t.getMessage();
        int nl = m.indexOf('\n');
        return nl < 0 ? m : m.substring(0, nl);
    }

    private static Path find() throws IOException {
        String prop = System.getProperty("repgeom.cuda.nvrtc");
        if (prop != null && !prop.isBlank()) {
            Path p = Path.of(prop);
            return Files.isDirectory(p) ? newestIn(p) : p;
        }
        List<Path> dirs = new ArrayList<>();
        for (String env : new String[] {"CUDA_PATH", "CUDA_HOME"}) {
            String v = System.getenv(env);
            if (v != null && !v.isBlank()) dirs.add(Path.of(v, "lib64"));
        }
        dirs.add(Path.of("/usr/local/cuda/lib64"));
        dirs.add(Path.of("/usr/local/cuda/targets/x86_64-linux/lib"));
        dirs.add(Path.of("/usr/local/cuda/targets/sbsa-linux/lib"));
        String ld = System.getenv("LD_LIBRARY_PATH");
        if (ld != null) {
            for (String d : ld.split(":")) {
                if (!d.isBlank()) dirs.add(Path.of(d));
            }
        }
        dirs.add(Path.of("/usr/lib/x86_64-linux-gnu"));
        dirs.add(Path.of("/usr/lib/aarch64-linux-gnu"));
        dirs.add(Path.of("/usr/lib64"));
        for (Path d : dirs) {
            Path p = newestIn(d);
            if (p != null) return p;
        }
        return null;
    }

    /** The newest libnvrtc.so* (not the builtins or .alt variants) in a directory, or null. */
    private static Path newestIn(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) return null;
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> {
                String n = p.getFileName().toString();
                return n.startsWith("libnvrtc.so");
            }).max(Comparator.comparing(p -> p.getFileName().toString())).orElse(null);
        }
    }

    private static Path builtinsBeside(Path lib) throws IOException {
        Path dir = lib.toAbsolutePath().getParent();
        if (dir == null || !Files.isDirectory(dir)) return null;
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().startsWith("libnvrtc-builtins.so"))
                    .max(Comparator.comparing(p -> p.getFileName().toString())).orElse(null);
        }
    }

    /** A compiled module image and what it is. */
    public record Image(byte[] bytes, String kind) {
    }

    /**
     * Compiles {@code source} for a device of compute capability major.minor: a CUBIN for sm_XY when
     * this NVRTC supports the architecture, else PTX for the newest supported architecture below it
     * (the driver compiles that at load time).
     *
     * @throws IllegalStateException when NVRTC is unavailable or compilation fails (with the log)
     */
    public static Image compile(String source, String name, int major, int minor) {
        if (!isAvailable()) throw new IllegalStateException(REASON);
        int want = major * 10 + minor;
        int arch = -1;
        try (org.lwjgl.system.MemoryStack stack = org.lwjgl.system.MemoryStack.stackPush()) {
            java.nio.IntBuffer n = stack.mallocInt(1);
            check(org.lwjgl.cuda.NVRTC.nvrtcGetNumSupportedArchs(n), "nvrtcGetNumSupportedArchs", 0);
            java.nio.IntBuffer archs = stack.mallocInt(n.get(0));
            check(org.lwjgl.cuda.NVRTC.nvrtcGetSupportedArchs(archs), "nvrtcGetSupportedArchs", 0);
            for (int i = 0; i < n.get(0); i++) {
                int a = archs.get(i);
                if (a <= want && a > arch) arch = a;
            }
        }
        if (arch < 0) throw new IllegalStateException("this NVRTC supports no architecture at or below sm_" + want);
        boolean cubin = arch == want;
        String option = "--gpu-architecture=" + (cubin ? "sm_" : "compute_") + arch;
        ByteBuffer src = org.lwjgl.system.MemoryUtil.memUTF8(source);
        ByteBuffer nm = org.lwjgl.system.MemoryUtil.memUTF8(name);
        ByteBuffer opt1 = org.lwjgl.system.MemoryUtil.memUTF8(option);
        ByteBuffer opt2 = org.lwjgl.system.MemoryUtil.memUTF8("--std=c++17");
        // subnormals flushed to zero, as in the fatbin (cuda/build.sh) and the native backend
        ByteBuffer opt3 = org.lwjgl.system.MemoryUtil.memUTF8("--ftz=true");
        long prog = 0;
        try (org.lwjgl.system.MemoryStack stack = org.lwjgl.system.MemoryStack.stackPush()) {
            org.lwjgl.PointerBuffer p = stack.mallocPointer(1);
            check(org.lwjgl.cuda.NVRTC.nvrtcCreateProgram(p, src, nm, null, null), "nvrtcCreateProgram", 0);
            prog = p.get(0);
            org.lwjgl.PointerBuffer opts = stack.mallocPointer(3);
            opts.put(0, opt1);
            opts.put(1, opt2);
            opts.put(2, opt3);
            int rc = org.lwjgl.cuda.NVRTC.nvrtcCompileProgram(prog, opts);
            if (rc != 0) {
                throw new IllegalStateException("NVRTC could not compile " + name + " (" + option + "): "
                        + org.lwjgl.cuda.NVRTC.nvrtcGetErrorString(rc) + "\n" + log(prog));
            }
            org.lwjgl.PointerBuffer size = stack.mallocPointer(1);
            if (cubin) {
                check(org.lwjgl.cuda.NVRTC.nvrtcGetCUBINSize(prog, size), "nvrtcGetCUBINSize", prog);
            } else {
                check(org.lwjgl.cuda.NVRTC.nvrtcGetPTXSize(prog, size), "nvrtcGetPTXSize", prog);
            }
            ByteBuffer out = org.lwjgl.system.MemoryUtil.memAlloc((int) size.get(0));
            try {
                if (cubin) {
                    check(org.lwjgl.cuda.NVRTC.nvrtcGetCUBIN(prog, out), "nvrtcGetCUBIN", prog);
                } else {
                    check(org.lwjgl.cuda.NVRTC.nvrtcGetPTX(prog, out), "nvrtcGetPTX", prog);
                }
                byte[] bytes = new byte[out.remaining()];
                out.get(bytes);
                return new Image(bytes, (cubin ? "NVRTC cubin sm_" : "NVRTC PTX compute_") + arch);
            } finally {
                org.lwjgl.system.MemoryUtil.memFree(out);
                p.put(0, prog);
                org.lwjgl.cuda.NVRTC.nvrtcDestroyProgram(p);
                prog = 0;
            }
        } finally {
            org.lwjgl.system.MemoryUtil.memFree(src);
            org.lwjgl.system.MemoryUtil.memFree(nm);
            org.lwjgl.system.MemoryUtil.memFree(opt1);
            org.lwjgl.system.MemoryUtil.memFree(opt2);
            org.lwjgl.system.MemoryUtil.memFree(opt3);
            if (prog != 0) {
                try (org.lwjgl.system.MemoryStack stack = org.lwjgl.system.MemoryStack.stackPush()) {
                    org.lwjgl.cuda.NVRTC.nvrtcDestroyProgram(stack.pointers(prog));
                }
            }
        }
    }

    /** The NVRTC version as "major.minor". */
    public static String version() {
        if (!isAvailable()) return null;
        try (org.lwjgl.system.MemoryStack stack = org.lwjgl.system.MemoryStack.stackPush()) {
            java.nio.IntBuffer a = stack.mallocInt(1), b = stack.mallocInt(1);
            check(org.lwjgl.cuda.NVRTC.nvrtcVersion(a, b), "nvrtcVersion", 0);
            return a.get(0) + "." + b.get(0);
        }
    }

    private static String log(long prog) {
        try (org.lwjgl.system.MemoryStack stack = org.lwjgl.system.MemoryStack.stackPush()) {
            org.lwjgl.PointerBuffer size = stack.mallocPointer(1);
            if (org.lwjgl.cuda.NVRTC.nvrtcGetProgramLogSize(prog, size) != 0) return "(no log)";
            ByteBuffer b = org.lwjgl.system.MemoryUtil.memAlloc((int) Math.max(1, size.get(0)));
            try {
                org.lwjgl.cuda.NVRTC.nvrtcGetProgramLog(prog, b);
                return org.lwjgl.system.MemoryUtil.memUTF8Safe(b) == null ? "" : org.lwjgl.system.MemoryUtil.memUTF8(b).trim();
            } finally {
                org.lwjgl.system.MemoryUtil.memFree(b);
            }
        }
    }

    private static void check(int rc, String call, long prog) {
        if (rc != 0) {
            throw new IllegalStateException(call + " failed: " + org.lwjgl.cuda.NVRTC.nvrtcGetErrorString(rc)
                    + (prog != 0 ? "\n" + log(prog) : ""));
        }
    }
}
