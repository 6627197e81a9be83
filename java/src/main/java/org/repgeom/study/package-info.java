/**
 * Running a study and its output-directory protocol. The spec and its expansion into members live in
 * {@link org.repgeom.study.spec}; here the plan of chunks ({@link org.repgeom.study.StudyPlan}), the
 * runner that trains it chunk by chunk on a backend ({@link org.repgeom.study.StudyRunner}), and the
 * directory protocol around it: chunks written under {@code DIR.incomplete/} and listed in the manifest
 * ({@link org.repgeom.study.StudyManifest}) so that a killed run resumes, shards of an array job merged
 * ({@link org.repgeom.study.StudyMerge}), the finished directory assembled
 * ({@link org.repgeom.study.StudyAssembler}) and read back ({@link org.repgeom.study.RunDirectory}),
 * with the file-safety rules of {@link org.repgeom.study.StudyPaths}.
 */
package org.repgeom.study;
