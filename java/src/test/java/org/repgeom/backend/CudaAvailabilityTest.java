package org.repgeom.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.repgeom.backend.cuda.KernelBinaries;

/**
 * What the CUDA backend says about itself on any machine: the kernels packed by the build, the
 * survey's one-line reason where it cannot run, and a clean failure (no stack trace, no crash) when
 * asked for by name without a GPU.
 */
class CudaAvailabilityTest {

    static boolean nvccOnPath() {
        try {
            Process p = new ProcessBuilder("nvcc", "--version").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (Exception e) {
            return false;
        }
    }

    @Test
    void theKernelSourceIsPackedAndTheFatbinWhereNvccBuiltIt() {
        String src = KernelBinaries.source();
        assertNotNull(src, "cuda/build.sh copies repgeom_train.cu into the classes");
        for (String kernel : new String[] {"mlp_train_fused", "mlp_forward", "philox_init"}) {
            assertTrue(src.contains("extern \"C\" __global__") && src.contains(kernel), kernel);
        }
        assertFalse(src.contains("#include"), "NVRTC compiles the source without headers");
        assumeTrue(nvccOnPath(), "no nvcc on PATH: the build made no fatbin");
        byte[] fatbin = KernelBinaries.fatbin();
        assertNotNull(fatbin, "nvcc is on PATH, so the build packed the fatbin");
        // fatbin container magic 0xBA55ED50 (little-endian), then one entry per architecture
        assertEquals(0xBA55ED50, ByteBuffer.wrap(fatbin).order(ByteOrder.LITTLE_ENDIAN).getInt(0));
        assertTrue(fatbin.length > 100_000, "SASS for four architectures and PTX: " + fatbin.length + " bytes");
    }

    @Test
    void withoutADeviceCudaSaysWhyInOneLine() {
        assumeFalse(CudaBackend.isAvailable(), "a CUDA device is present");
        Backends.Availability cuda = Backends.survey().stream().filter(a -> a.name().equals("cuda")).findFirst().orElseThrow();
        assertFalse(cuda.available());
        String reason = cuda.reason();
        assertNotNull(reason);
        assertFalse(reason.isBlank());
        assertFalse(reason.contains("\n"), "one line: " + reason);
        assertTrue(reason.length() < 200, reason);
        assertEquals(reason, CudaBackend.unavailableReason());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Backends.byName("cuda"));
        assertEquals("backend 'cuda' is not available: " + reason, e.getMessage());
        IllegalStateException direct = assertThrows(IllegalStateException.class, CudaBackend::new);
        assertTrue(direct.getMessage().contains(reason));
        assertNotEquals("cuda", Backends.auto().name(), "auto falls back");
    }

    @Test
    void theDevicesCommandStaysClean() {
        PrintStream out = System.out, err = System.err;
        ByteArrayOutputStream o = new ByteArrayOutputStream(), e = new ByteArrayOutputStream();
        int code;
        try {
            System.setOut(new PrintStream(o, true));
            System.setErr(new PrintStream(e, true));
            code = org.repgeom.cli.Main.execute("devices");
        } finally {
            System.setOut(out);
            System.setErr(err);
        }
        assertEquals(0, code);
        assertEquals("", e.toString(), "nothing on stderr");
        String text = o.toString();
        String[] lines = text.strip().split("\n");
        assertEquals(3, lines.length, text);
        assertTrue(lines[0].startsWith("cuda "), text);
        assertFalse(text.contains("Exception") || text.contains("\tat "), text);
    }
}
