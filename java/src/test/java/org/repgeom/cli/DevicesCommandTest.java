package org.repgeom.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.repgeom.backend.CudaBackend;
import org.repgeom.backend.NativeKernels;
import picocli.CommandLine;

/**
 * {@code devices --require}: the exit status a GPU session script relies on. A backend that loads
 * and agrees with the reference exits 0; one that does not load exits 1 with the reason; a name
 * that is no backend is bad input (2).
 */
class DevicesCommandTest {

    private record Outcome(int code, String out) {
    }

    private static Outcome devices(String... args) {
        PrintStream old = System.out;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
        try {
            int code = new CommandLine(new DevicesCommand()).execute(args);
            return new Outcome(code, buf.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(old);
        }
    }

    @Test
    void theReferenceAlwaysPassesItsOwnCheck() {
        Outcome o = devices("--require", "java");
        assertEquals(0, o.code(), o.out());
        assertTrue(o.out().contains("required backend check passed: java"), o.out());
    }

    @Test
    void nativeTrainsTheSmokeGroupLikeTheReference() {
        assumeTrue(NativeKernels.isAvailable(), "native library not loaded here");
        Outcome o = devices("--require", "native");
        assertEquals(0, o.code(), o.out());
        assertTrue(o.out().matches("(?s).*largest relative loss difference to the java reference \\d\\.\\d\\de-\\d\\d.*"), o.out());
    }

    @Test
    void aRequiredBackendThatDoesNotLoadExitsOneWithTheReason() {
        assumeFalse(CudaBackend.isAvailable(), "a CUDA device is present");
        Outcome o = devices("--require", "cuda");
        assertEquals(1, o.code(), o.out());
        assertTrue(o.out().contains("required backend check FAILED: backend 'cuda' is not available: "
                + CudaBackend.unavailableReason()), o.out());
    }

    @Test
    void anUnknownNameIsBadInput() {
        RunCommandTest.Result r = RunCommandTest.cli("devices", "--require", "tpu");
        assertEquals(2, r.code(), r.err());
        assertEquals("", r.out(), "refused before the backends are listed");
        assertEquals(1, r.err().lines().count(), r.err());
        assertTrue(r.err().startsWith("error: --require: names no backend: 'tpu'"), r.err());
    }
}
