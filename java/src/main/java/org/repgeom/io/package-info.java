/**
 * The file formats the program reads and writes, each in one place: CSV
 * ({@link org.repgeom.io.Csv}), JSON ({@link org.repgeom.io.Json}), NumPy {@code .npy} arrays
 * ({@link org.repgeom.io.Npy}, read whole or row by row) and whole-file atomic writes
 * ({@link org.repgeom.io.AtomicFiles}) that never leave a half-written file behind. Nothing here
 * knows what a study is.
 */
package org.repgeom.io;
