/**
 * What a finished study directory becomes for a reader: {@code repgeom analyze}
 * ({@link org.repgeom.report.StudyAnalysis}) recomputes every member's representations from its
 * stored parameters and writes the geometry metrics ({@link org.repgeom.report.Metric}, which also
 * names each metric's {@code metrics.csv} columns) to {@code analysis/}; {@code repgeom report}
 * ({@link org.repgeom.report.Report}) turns the study, and the analysis where present, into one
 * self-contained HTML file of inline SVG figures and tables.
 */
package org.repgeom.report;
