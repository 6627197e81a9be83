/**
 * Geometry of trained representations: the representation kernel K = RᵀR of a hidden layer
 * ({@link org.repgeom.analysis.RepresentationKernel}; "kernel" in this package always means this
 * P×P matrix, never a compute kernel of the backends), distances between kernels, the parallelism
 * score, CKA, CCGP, neural collapse, tuning of single units, numerical rank and dimensionality, and
 * the landscape statistics of a whole study. Everything here reads parameters or representations and
 * returns numbers; nothing trains or writes files.
 */
package org.repgeom.analysis;
