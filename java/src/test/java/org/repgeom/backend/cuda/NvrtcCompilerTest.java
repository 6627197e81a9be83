package org.repgeom.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The NVRTC fallback compiles the packed kernel source (no GPU needed, only libnvrtc: found as
 * {@link NvrtcCompiler} says, e.g. {@code -Drepgeom.cuda.nvrtc=/usr/local/cuda/lib64/libnvrtc.so}).
 * Checks that the source stays NVRTC-compatible (no headers, no host code) and that the binding
 * produces a loadable image kind for supported, older and newer architectures.
 */
class NvrtcCompilerTest {

    @BeforeAll
    static void nvrtcLoads() {
        assumeTrue(NvrtcCompiler.isAvailable(), () -> "NVRTC not available: " + NvrtcCompiler.unavailableReason());
    }

    private static String source() {
        String src = KernelBinaries.source();
        assertNotNull(src, "the build copies repgeom_train.cu into the classes");
        return src;
    }

    @Test
    void compilesTheKernelsToCubinForTheBuildArchitectures() {
        for (int[] cc : new int[][] {{8, 0}, {8, 6}, {8, 9}, {9, 0}}) {
            NvrtcCompiler.Image image = NvrtcCompiler.compile(source(), "repgeom_train.cu", cc[0], cc[1]);
            assertEquals("NVRTC cubin sm_" + cc[0] + cc[1], image.kind());
            byte[] b = image.bytes();
            assertTrue(b.length > 10_000 && b[0] == 0x7f && b[1] == 'E' && b[2] == 'L' && b[3] == 'F', "an ELF cubin");
            String text = new String(b, StandardCharsets.ISO_8859_1);
            for (String kernel : new String[] {"mlp_forward", "philox_init", "philox4x32_kat"}) {
                assertTrue(text.contains(kernel), kernel + " in the cubin");
            }
            for (FusedLayout.Placement p : FusedLayout.Placement.values()) {
                assertTrue(text.contains(p.kernelName()), p.kernelName() + " in the cubin");
            }
        }
    }

    @Test
    void aDeviceNewerThanNvrtcGetsPtxForTheNewestArchitecture() {
        NvrtcCompiler.Image image = NvrtcCompiler.compile(source(), "repgeom_train.cu", 99, 9);
        assertTrue(image.kind().startsWith("NVRTC PTX compute_"), image.kind());
        String ptx = new String(image.bytes(), StandardCharsets.US_ASCII);
        for (FusedLayout.Placement p : FusedLayout.Placement.values()) {
            assertTrue(ptx.contains(".entry " + p.kernelName()), "PTX with the training kernel " + p.kernelName());
        }
        // every placement variant addresses its arrays in their own memory space: no generic float access
        assertFalse(ptx.matches("(?s).*\\s(ld|st)\\.f32\\s.*"), "generic ld.f32/st.f32 in the PTX");
        assertEquals(0, image.bytes()[image.bytes().length - 1], "null-terminated for cuModuleLoadData");
    }

    @Test
    void aCompileErrorReportsTheLog() {
        IllegalStateException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
                () -> NvrtcCompiler.compile("extern \"C\" __global__ void k() { undefined_thing(); }", "bad.cu", 9, 0));
        assertTrue(e.getMessage().contains("undefined_thing"), e.getMessage());
    }
}
