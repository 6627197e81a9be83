/**
 * Training backends: the only layer that knows how parameters sit in memory or on a device. A
 * {@link org.repgeom.backend.Backend} trains a group of members ({@link org.repgeom.backend.TrainRequest}
 * in, {@link org.repgeom.backend.TrainResult} out, optionally in checkpointed segments);
 * {@link org.repgeom.backend.JavaBackend} is the double-precision reference, the native (C, through
 * JNI) and CUDA backends run the same algorithm in float32 and are tested against it by one
 * conformance suite. {@link org.repgeom.backend.Backends} picks the best one that runs here.
 *
 * <p>Naming: the C and CUDA routines that do the arithmetic ({@code mlp_train_fused},
 * {@code mlp_forward}, {@code philox_init}, and their building blocks such as the batched GEMM) are
 * called <em>compute kernels</em> here and keep the same name in Java, C and CUDA. They are not the
 * <em>representation kernels</em> K = RᵀR of a hidden layer, which {@code org.repgeom.analysis}
 * measures.
 */
package org.repgeom.backend;
