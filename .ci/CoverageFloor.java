// Checks the aggregate JaCoCo report (coverage module) against the committed floor; run by bin/loupe test:
//   java .ci/CoverageFloor.java coverage/target/coverage/jacoco.xml coverage/floor.properties
// floor.properties holds a minimum percentage per JaCoCo counter (LINE=..., BRANCH=...). The floor is the figure
// the suite reached when it was set; raise it when coverage rises, never lower it to let a change in.
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import javax.xml.parsers.DocumentBuilderFactory;
import org.w3c.dom.Element;
import org.w3c.dom.Node;

public class CoverageFloor {
    public static void main(String[] args) throws Exception {
        Path report = Path.of(args[0]);
        Properties floor = new Properties();
        try (Reader in = Files.newBufferedReader(Path.of(args[1]))) {
            floor.load(in);
        }
        if (!Files.isRegularFile(report)) {
            System.out.println("coverage: no report at " + report + " (did the coverage profile run?)");
            System.exit(1);
        }
        var factory = DocumentBuilderFactory.newInstance();
        factory.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
        Element root = factory.newDocumentBuilder().parse(report.toFile()).getDocumentElement();
        boolean ok = true;
        StringBuilder line = new StringBuilder("coverage (" + report + "):");
        for (Node n = root.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element counter && counter.getTagName().equals("counter")) {
                String type = counter.getAttribute("type");
                long missed = Long.parseLong(counter.getAttribute("missed"));
                long covered = Long.parseLong(counter.getAttribute("covered"));
                double percent = 100.0 * covered / Math.max(1, missed + covered);
                line.append(String.format(" %s %.2f%% (%d/%d)", type.toLowerCase(), percent, covered, missed + covered));
                String min = floor.getProperty(type);
                if (min != null) {
                    boolean below = percent < Double.parseDouble(min);
                    line.append(String.format(" [floor %s%%%s]", min, below ? " BELOW THE FLOOR" : ""));
                    ok &= !below;
                }
            }
        }
        System.out.println(line);
        if (!ok) {
            System.out.println("coverage: below the floor in " + Path.of(args[1]) + "; add tests for the code you changed");
        }
        System.exit(ok ? 0 : 1);
    }
}
