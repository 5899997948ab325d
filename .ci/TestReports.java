// Reads every surefire and failsafe XML report of this run and fails on a test skipped without a stated reason.
// Run by bin/loupe test after Maven:  java .ci/TestReports.java REPO [SINCE_MARKER]
// Only reports written after SINCE_MARKER (a file touched when the run began) count, so old reports of modules
// this run did not build are not read.
//
// A skip has a stated reason when the test says why it is off: @Disabled("why"). These do not count as reasons:
// - no message, or JUnit's default one ("... is @Disabled") for a bare @Disabled;
// - an aborted assumption (assumeTrue(...), "Assumption failed: ..."): in CI, bin/loupe test installs every
//   peer the tests use (Alertmanager, Chromium, ShellCheck...), so a test that finds its tool missing is a failure.
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import javax.xml.parsers.DocumentBuilderFactory;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

public class TestReports {
    public static void main(String[] args) throws Exception {
        Path repo = Path.of(args[0]);
        long since = args.length > 1 ? Files.getLastModifiedTime(Path.of(args[1])).toMillis() : 0;
        List<Path> reports;
        try (Stream<Path> files = Files.walk(repo, 4)) {
            reports = files.filter(p -> p.getFileName().toString().matches("TEST-.*\\.xml"))
                    .filter(p -> {
                        String dir = p.getParent().getFileName().toString();
                        return dir.equals("surefire-reports") || dir.equals("failsafe-reports");
                    })
                    .filter(p -> !p.toString().contains("node_modules"))
                    .filter(p -> p.toFile().lastModified() >= since)
                    .sorted().toList();
        }
        var factory = DocumentBuilderFactory.newInstance();
        factory.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
        int tests = 0;
        List<String> failed = new ArrayList<>();
        List<String> reasoned = new ArrayList<>();
        List<String> unreasoned = new ArrayList<>();
        for (Path report : reports) {
            NodeList cases = factory.newDocumentBuilder().parse(report.toFile()).getElementsByTagName("testcase");
            for (int i = 0; i < cases.getLength(); i++) {
                Element c = (Element) cases.item(i);
                tests++;
                String name = c.getAttribute("classname") + "." + c.getAttribute("name") + " ("
                        + repo.relativize(report).getName(0) + ")";
                if (c.getElementsByTagName("failure").getLength() + c.getElementsByTagName("error").getLength() > 0) {
                    failed.add(name);
                }
                NodeList skipped = c.getElementsByTagName("skipped");
                if (skipped.getLength() > 0) {
                    Element s = (Element) skipped.item(0);
                    String message = s.getAttribute("message").strip();
                    String type = s.getAttribute("type");
                    if (message.isEmpty() && !s.getTextContent().isBlank()) {
                        // surefire writes an aborted test's exception as the text: "Type: message\n\tat ..."
                        message = s.getTextContent().strip().lines().findFirst().orElse("")
                                .replaceFirst("^" + java.util.regex.Pattern.quote(type) + ":\\s*", "");
                    }
                    boolean assumption = message.startsWith("Assumption failed") || type.contains("TestAborted")
                            || type.contains("AssumptionViolated");
                    boolean bare = message.isEmpty() || message.endsWith("is @Disabled");
                    (assumption || bare ? unreasoned : reasoned).add(name + ": " + (message.isEmpty() ? "(no reason)" : message));
                }
            }
        }
        System.out.printf("test reports: %d files, %d tests, %d failed, %d skipped (%d with a stated reason, %d without)%n",
                reports.size(), tests, failed.size(), reasoned.size() + unreasoned.size(), reasoned.size(),
                unreasoned.size());
        reasoned.forEach(s -> System.out.println("  skipped, with a reason: " + s));
        failed.forEach(s -> System.out.println("  FAILED: " + s));
        unreasoned.forEach(s -> System.out.println("  SKIPPED WITHOUT A REASON (fails the run): " + s));
        if (reports.isEmpty()) {
            System.out.println("  no test report found under " + repo + File.separator + "*/target");
        }
        System.exit(failed.isEmpty() && unreasoned.isEmpty() && !reports.isEmpty() ? 0 : 1);
    }
}
