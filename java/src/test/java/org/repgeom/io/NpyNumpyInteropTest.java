package org.repgeom.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Checks files against NumPy itself; skipped where {@code python3} with numpy is not installed. */
class NpyNumpyInteropTest {

    @TempDir
    Path dir;

    /** Same formula on both sides: value of flat C index i. */
    private static final String PY_VALUES = "def vals(n):\n"
            + "    i = np.arange(n, dtype=np.float64)\n"
            + "    return np.where(i % 2 == 0, 1.0, -1.0) * (i + 0.1) / 3.0\n";

    private static double value(int i) {
        return (i % 2 == 0 ? 1 : -1) * (i + 0.1) / 3.0;
    }

    private static double[] values(int n) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) v[i] = value(i);
        return v;
    }

    private record Result(int exit, String output) {
    }

    private static Result python(String script, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("python3", "-c", script));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return new Result(-1, "timed out");
        }
        return new Result(p.exitValue(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
    }

    @BeforeAll
    static void requireNumpy() {
        boolean ok;
        try {
            ok = python("import numpy").exit == 0;
        } catch (IOException | InterruptedException e) {
            ok = false;
        }
        assumeTrue(ok, "python3 with numpy not available");
    }

    @Test
    void numpyLoadsWhatJavaWrites() throws Exception {
        Path f8 = dir.resolve("f8.npy");
        Path f4 = dir.resolve("f4.npy");
        Path i4 = dir.resolve("i4.npy");
        Path s0 = dir.resolve("scalar.npy");
        Npy.writeFloat64(f8, new int[] {3, 4}, values(12));
        Npy.writeFloat32(f4, new int[] {2, 3, 2}, values(12));
        Npy.writeInt32(i4, new int[] {5}, new int[] {-2, -1, 0, 1, Integer.MAX_VALUE});
        Npy.writeFloat64(s0, new int[] {}, new double[] {value(0)});
        String script = "import sys\nimport numpy as np\n" + PY_VALUES
                + "a = np.load(sys.argv[1]); assert a.dtype == np.dtype('<f8') and a.shape == (3, 4), (a.dtype, a.shape)\n"
                + "assert np.array_equal(a, vals(12).reshape(3, 4)), a\n"
                + "b = np.load(sys.argv[2]); assert b.dtype == np.dtype('<f4') and b.shape == (2, 3, 2), (b.dtype, b.shape)\n"
                + "assert np.array_equal(b, vals(12).astype(np.float32).reshape(2, 3, 2)), b\n"
                + "c = np.load(sys.argv[3]); assert c.dtype == np.dtype('<i4') and c.shape == (5,), (c.dtype, c.shape)\n"
                + "assert c.tolist() == [-2, -1, 0, 1, 2**31 - 1], c\n"
                + "d = np.load(sys.argv[4]); assert d.shape == () and d == vals(1)[0], d\n"
                + "print('ok')\n";
        Result r = python(script, f8.toString(), f4.toString(), i4.toString(), s0.toString());
        assertEquals(0, r.exit, r.output);
        assertEquals("ok", r.output.trim());
    }

    @Test
    void javaReadsWhatNumpyWrites() throws Exception {
        String script = "import sys, os\nimport numpy as np\n" + PY_VALUES
                + "d = sys.argv[1]\n"
                + "np.save(os.path.join(d, 'f8.npy'), vals(12).reshape(3, 4))\n"
                + "np.save(os.path.join(d, 'f4.npy'), vals(24).astype(np.float32).reshape(2, 3, 4))\n"
                + "np.save(os.path.join(d, 'fortran.npy'), np.asfortranarray(vals(12).reshape(3, 4)))\n"
                + "np.save(os.path.join(d, 'fortran4.npy'), np.asfortranarray(vals(24).astype('>f4').reshape(2, 3, 4)))\n"
                + "np.save(os.path.join(d, 'be.npy'), vals(6).astype('>f8'))\n"
                + "np.save(os.path.join(d, 'i8.npy'), np.arange(-3, 3, dtype=np.int64).reshape(2, 3))\n"
                + "np.save(os.path.join(d, 'b1.npy'), np.array([True, False, True]))\n"
                + "np.save(os.path.join(d, 'scalar.npy'), np.float64(vals(1)[0]))\n";
        Result r = python(script, dir.toString());
        assertEquals(0, r.exit, r.output);

        NpyArray f8 = Npy.read(dir.resolve("f8.npy"));
        assertArrayEquals(new int[] {3, 4}, f8.shape());
        assertArrayEquals(values(12), f8.data(), 0.0);

        NpyArray f4 = Npy.read(dir.resolve("f4.npy"));
        assertArrayEquals(new int[] {2, 3, 4}, f4.shape());
        for (int i = 0; i < 24; i++) assertEquals((float) value(i), f4.data()[i], 0.0);

        NpyArray fortran = Npy.read(dir.resolve("fortran.npy"));
        assertArrayEquals(new int[] {3, 4}, fortran.shape());
        assertArrayEquals(values(12), fortran.data(), 0.0);

        NpyArray fortran4 = Npy.read(dir.resolve("fortran4.npy"));
        assertArrayEquals(new int[] {2, 3, 4}, fortran4.shape());
        for (int i = 0; i < 24; i++) assertEquals((float) value(i), fortran4.data()[i], 0.0);

        assertArrayEquals(values(6), Npy.read(dir.resolve("be.npy")).data(), 0.0);
        assertArrayEquals(new double[] {-3, -2, -1, 0, 1, 2}, Npy.read(dir.resolve("i8.npy")).data(), 0.0);
        assertArrayEquals(new double[] {1, 0, 1}, Npy.read(dir.resolve("b1.npy")).data(), 0.0);
        NpyArray scalar = Npy.read(dir.resolve("scalar.npy"));
        assertEquals(0, scalar.ndim());
        assertArrayEquals(new double[] {value(0)}, scalar.data(), 0.0);
    }
}
