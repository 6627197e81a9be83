/**
 * The study spec: a YAML file read into {@link org.repgeom.study.spec.StudySpec} and its sections
 * (task, model, grid, optimiser, training), each validated as it is read so that bad input is one
 * {@link org.repgeom.study.spec.SpecException} naming the field or file; the task a spec describes
 * ({@link org.repgeom.study.spec.TaskFactory}); and the grid's expansion into members
 * ({@link org.repgeom.study.spec.MemberSpec}) and groups of identical architecture
 * ({@link org.repgeom.study.spec.MemberGroup}). Nothing here touches the output directory: that is
 * {@link org.repgeom.study}'s run and output protocol, which depends on this package and not the
 * other way round.
 */
package org.repgeom.study.spec;
