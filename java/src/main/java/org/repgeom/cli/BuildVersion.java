package org.repgeom.cli;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;
import picocli.CommandLine.IVersionProvider;

/** {@code repgeom --version}: the version Maven built (version.properties, filtered from the POM). */
final class BuildVersion implements IVersionProvider {
    static final String RESOURCE = "/org/repgeom/version.properties";

    /** The project version of this build, or "unknown" when the resource is missing (an unfiltered IDE build). */
    static String version() {
        try (InputStream in = BuildVersion.class.getResourceAsStream(RESOURCE)) {
            if (in == null) return "unknown";
            Properties p = new Properties();
            p.load(in);
            String v = p.getProperty("version", "unknown");
            return v.startsWith("${") ? "unknown" : v;
        } catch (IOException e) {
            return "unknown";
        }
    }

    @Override
    public String[] getVersion() {
        return new String[] {"repgeom " + version()};
    }
}
