package org.repgeom.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.repgeom.study.RunDirectory;

/**
 * Renders the report in headless Chromium (Debian's {@code chromium}; {@code .ci/run} installs it)
 * and checks that every plot drew: a probe copy of the page records each figure's SVG boxes and
 * element counts (read back with {@code --dump-dom}), then a full-page screenshot must show
 * non-background pixels in several colours inside every plot's box, and the browser's find must reach a
 * label inside every figure's plots (figure text is {@code <text>}, not glyph outlines). Skips, saying why, when no
 * Chromium is on the PATH (override with {@code REPGEOM_CHROMIUM}).
 */
class ReportRenderTest {
    private static final int WIDTH = 1300;
    private static final String PROBE = """
            <script>
            addEventListener('load', () => {
              const out = [];
              document.querySelectorAll('figure').forEach(f => {
                const svgs = [...f.querySelectorAll(':scope .plots svg')].filter(s => !s.parentElement.closest('svg'));
                const boxes = svgs.map(s => {
                  const b = s.getBoundingClientRect();
                  const n = s.querySelectorAll('path,polyline,rect,line,ellipse,circle,text').length;
                  return [Math.round(b.left + scrollX), Math.round(b.top + scrollY), Math.round(b.width), Math.round(b.height), n].join(',');
                });
                out.push(f.id + '=' + boxes.join(';'));
              });
              document.body.setAttribute('data-probe', out.join(' '));
              // figure text is real text: the browser's find reaches a label inside each figure's plots
              const found = [];
              document.querySelectorAll('figure').forEach(f => {
                const t = [...f.querySelectorAll('.plots svg text')].map(e => e.textContent.trim())
                    .filter(s => s.length >= 3 && /^[A-Za-z]/.test(s))[0];
                let ok = false;
                getSelection().removeAllRanges();
                for (let i = 0; t && i < 500 && window.find(t, true, false, false, false, false, false); i++) {
                  const n = getSelection().anchorNode;
                  if (n && f.contains(n) && n.parentElement && n.parentElement.closest('svg')) { ok = true; break; }
                }
                found.push(f.id + '=' + (ok ? 'found' : 'missing'));
              });
              document.body.setAttribute('data-find', found.join(' '));
              document.body.setAttribute('data-height', String(document.documentElement.scrollHeight));
            });
            </script>
            """;

    record Box(int x, int y, int w, int h, int elements) {
    }

    @Test
    void everyPlotOfTheReportDrawsInHeadlessChromium(@TempDir Path tmp) throws Exception {
        String chromium = chromium();
        Assumptions.assumeTrue(chromium != null, "no chromium on the PATH (.ci/run installs Debian's chromium): render check skipped");
        RunDirectory run = SmallStudies.copy(SmallStudies.hypercube(), tmp);
        // a kernel trace, so that the figures of the representation over training are drawn and checked too
        org.repgeom.study.KernelTraceRecorder.record(run.path(),
                org.repgeom.study.spec.StudySpec.parse(SmallStudies.HYPERCUBE, tmp, "hypercube"), 100);
        StudyAnalysis.all(run).run();
        Report.Outcome report = Report.write(run);
        assertTrue(report.figures().contains("fig-trajectory-labels"), report.figures().toString());
        String html = Files.readString(report.file(), StandardCharsets.UTF_8);
        Path probe = tmp.resolve("probe.html");
        Files.writeString(probe, html.replace("</body>", PROBE + "</body>"), StandardCharsets.UTF_8);

        String dom = run(tmp, chromium, "--dump-dom", "--window-size=" + WIDTH + ",1000", probe.toUri().toString());
        Matcher probeAttr = Pattern.compile("data-probe=\"([^\"]*)\"").matcher(dom);
        assertTrue(probeAttr.find(), "the probe ran: " + dom.substring(0, Math.min(300, dom.length())));
        Matcher heightAttr = Pattern.compile("data-height=\"(\\d+)\"").matcher(dom);
        assertTrue(heightAttr.find());
        int height = Integer.parseInt(heightAttr.group(1));

        List<String> seen = new ArrayList<>();
        List<Box> boxes = new ArrayList<>();
        List<String> owner = new ArrayList<>();
        for (String fig : probeAttr.group(1).split(" ")) {
            String[] kv = fig.split("=", 2);
            seen.add(kv[0]);
            assertTrue(kv.length == 2 && !kv[1].isEmpty(), kv[0] + " has no svg");
            for (String b : kv[1].split(";")) {
                String[] f = b.split(",");
                Box box = new Box(Integer.parseInt(f[0]), Integer.parseInt(f[1]), Integer.parseInt(f[2]), Integer.parseInt(f[3]),
                        Integer.parseInt(f[4]));
                assertTrue(box.w() > 50 && box.h() > 50, kv[0] + ": svg laid out at " + box);
                assertTrue(box.elements() > 10, kv[0] + ": svg with only " + box.elements() + " elements");
                boxes.add(box);
                owner.add(kv[0]);
            }
        }
        assertEquals(report.figures(), seen, "every figure of the report was laid out");
        Matcher findAttr = Pattern.compile("data-find=\"([^\"]*)\"").matcher(dom);
        assertTrue(findAttr.find(), "the find probe ran");
        for (String fig : findAttr.group(1).split(" ")) {
            assertTrue(fig.endsWith("=found"), "no text of the figure's plots is found by the browser's search: " + fig);
        }

        Path png = tmp.resolve("report.png");
        run(tmp, chromium, "--screenshot=" + png, "--window-size=" + WIDTH + "," + height, probe.toUri().toString());
        BufferedImage img = ImageIO.read(png.toFile());
        assertEquals(WIDTH, img.getWidth());
        for (int i = 0; i < boxes.size(); i++) {
            Box b = boxes.get(i);
            int inked = 0, total = 0;
            Set<Integer> colours = new HashSet<>();
            for (int y = b.y(); y < Math.min(img.getHeight(), b.y() + b.h()); y++) {
                for (int x = b.x(); x < Math.min(img.getWidth(), b.x() + b.w()); x++) {
                    int rgb = img.getRGB(x, y) & 0xFFFFFF;
                    total++;
                    int r = rgb >> 16, g = (rgb >> 8) & 255, bl = rgb & 255;
                    if (r < 235 || g < 235 || bl < 235) {
                        inked++;
                        colours.add(rgb & 0xF0F0F0);
                    }
                }
            }
            assertTrue(total > 0, owner.get(i) + " lies outside the screenshot");
            double fraction = inked / (double) total;
            assertTrue(fraction > 0.01, owner.get(i) + ": only " + fraction + " of the plot's pixels drawn");
            assertTrue(colours.size() >= 3, owner.get(i) + ": drawn in " + colours.size() + " colours");
        }
    }

    /** The Chromium binary to use, or null. */
    static String chromium() {
        String override = System.getenv("REPGEOM_CHROMIUM");
        if (override != null && !override.isBlank()) return override;
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            for (String name : new String[] {"chromium", "chromium-browser"}) {
                Path p = Path.of(dir, name);
                if (Files.isExecutable(p)) return p.toString();
            }
        }
        return null;
    }

    /** Runs headless Chromium with the given arguments; returns its stdout. */
    private static String run(Path work, String chromium, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(chromium, "--headless", "--no-sandbox", "--disable-gpu",
                "--hide-scrollbars", "--force-device-scale-factor=1", "--user-data-dir=" + work.resolve("chromium-profile")));
        cmd.addAll(List.of(args));
        Path out = work.resolve("chromium.out"), err = work.resolve("chromium.err");
        Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("chromium did not finish in 120 s: " + String.join(" ", cmd));
        }
        assertEquals(0, p.exitValue(), "chromium failed: " + Files.readString(err));
        return Files.readString(out, StandardCharsets.UTF_8);
    }
}
