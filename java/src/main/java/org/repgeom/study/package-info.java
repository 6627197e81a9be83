/**
 * Studies: a YAML spec ({@link org.repgeom.study.StudySpec} and its sections: task, model, grid,
 * optimiser, training) expanded into a plan of members, groups and chunks
 * ({@link org.repgeom.study.StudyPlan}); the runner that trains it chunk by chunk on a backend
 * ({@link org.repgeom.study.StudyRunner}) and the output-directory protocol around it: chunks written
 * under {@code DIR.incomplete/} and listed in the manifest ({@link org.repgeom.study.StudyManifest}) so
 * that a killed run resumes, shards of an array job merged ({@link org.repgeom.study.StudyMerge}), the
 * finished directory assembled ({@link org.repgeom.study.StudyAssembler}) and read back
 * ({@link org.repgeom.study.RunDirectory}). Bad input is a {@link org.repgeom.study.SpecException}
 * naming the field or file.
 */
package org.repgeom.study;
