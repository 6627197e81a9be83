package org.repgeom.backend.cuda;

import java.util.ArrayList;
import java.util.List;

/** A kernel's argument list in order: structs by value, device pointers, 32-bit ints. */
final class KernelArgs {
    enum Kind { STRUCT, POINTER, INT }

    /** One argument: its kind and value (bytes for a struct, the address for a pointer). */
    record Arg(Kind kind, byte[] bytes, long value) {
        /** Bytes the argument takes in the kernel's parameter space. */
        int size() {
            return switch (kind) {
                case STRUCT -> bytes.length;
                case POINTER -> 8;
                case INT -> 4;
            };
        }
    }

    private final List<Arg> args = new ArrayList<>();

    KernelArgs struct(byte[] bytes) {
        args.add(new Arg(Kind.STRUCT, bytes.clone(), 0));
        return this;
    }

    KernelArgs pointer(long address) {
        args.add(new Arg(Kind.POINTER, null, address));
        return this;
    }

    KernelArgs i32(int value) {
        args.add(new Arg(Kind.INT, null, value));
        return this;
    }

    List<Arg> list() {
        return List.copyOf(args);
    }
}
