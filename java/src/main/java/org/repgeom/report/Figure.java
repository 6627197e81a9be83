package org.repgeom.report;

/**
 * One figure of the report: an anchor id, a title, a caption telling the reader what to look for,
 * and its body (one or more inline SVG plots).
 */
record Figure(String id, String title, String caption, String body) {

    String html() {
        return "<figure id=\"" + id + "\">\n<div class=\"plots\">\n" + body + "</div>\n<figcaption><b>"
                + Html.escape(title) + ".</b> " + caption + "</figcaption>\n</figure>\n";
    }
}
