package org.repgeom.backend.cuda;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The bytes of {@code rg_lib_args} (cuda/repgeom_library.cu), the one by-value argument of every
 * library kernel: 12 pointers, the work-item count, 4 doubles, 10 floats, 14 ints, in that order,
 * little-endian, no padding. Which slot means what is each kernel's comment there.
 */
public final class LibraryArgs {
    static final int PTRS = 12, DOUBLES = 4, FLOATS = 10, INTS = 14;
    /** sizeof(rg_lib_args). */
    public static final int BYTES = 8 * PTRS + 8 + 8 * DOUBLES + 4 * FLOATS + 4 * INTS;
    private static final int N_OFF = 8 * PTRS, D_OFF = N_OFF + 8, F_OFF = D_OFF + 8 * DOUBLES, I_OFF = F_OFF + 4 * FLOATS;

    private final byte[] bytes = new byte[BYTES];
    private final ByteBuffer buf = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);

    public LibraryArgs ptr(int slot, long address) {
        buf.putLong(8 * check(slot, PTRS), address);
        return this;
    }

    public LibraryArgs items(long n) {
        buf.putLong(N_OFF, n);
        return this;
    }

    public LibraryArgs d(int slot, double v) {
        buf.putDouble(D_OFF + 8 * check(slot, DOUBLES), v);
        return this;
    }

    public LibraryArgs f(int slot, float v) {
        buf.putFloat(F_OFF + 4 * check(slot, FLOATS), v);
        return this;
    }

    public LibraryArgs i(int slot, int v) {
        buf.putInt(I_OFF + 4 * check(slot, INTS), v);
        return this;
    }

    /** Work items (threads of the grid-stride loop). */
    public long items() {
        return buf.getLong(N_OFF);
    }

    /** The struct's bytes (the array itself). */
    public byte[] bytes() {
        return bytes;
    }

    private static int check(int slot, int n) {
        if (slot < 0 || slot >= n) throw new IndexOutOfBoundsException("argument slot " + slot + " of " + n);
        return slot;
    }
}
