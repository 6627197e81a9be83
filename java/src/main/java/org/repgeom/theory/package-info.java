/**
 * Closed-form predictions for the regularised networks the engine trains: the optimal
 * representation kernels and minimal losses of two-layer ReLU networks on hypercube and one-hot
 * tasks, deep linear and deep ReLU networks and odd activations
 * ({@link org.repgeom.theory.ClosedForms} lists them), the KKT certificate that tells whether one
 * trained two-layer ReLU member is a global minimum, and {@link org.repgeom.theory.TheoryVerifier},
 * which trains matched ensembles and compares them with each closed form.
 */
package org.repgeom.theory;
