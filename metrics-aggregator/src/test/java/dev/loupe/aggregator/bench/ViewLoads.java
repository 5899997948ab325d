package dev.loupe.aggregator.bench;

import java.io.File;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * Opens dashboard views in the system's headless Chromium (through the system chromedriver, as e2e's DashboardIT
 * does) and measures each load inside the page: from navigation start ({@code performance.timeOrigin}) to the moment
 * {@code main#view} gets {@code data-state="ready"} (or "error"), as {@code performance.now()} read by a
 * MutationObserver that DevTools installs before any of the page's own scripts run. No polling: the time is taken in
 * the microtask after the view sets the attribute, i.e. after its data arrived and its DOM and charts were built, but
 * before the browser painted that frame.
 */
final class ViewLoads implements AutoCloseable {
    /** Runs in every new document before the page's scripts: records when the view first settles. */
    private static final String OBSERVER = """
            (() => {
              let settle;
              window.__loupeLoad = new Promise(resolve => { settle = resolve; });
              const look = () => {
                const main = document.getElementById('view');
                const state = main && main.dataset.state;
                if (state === 'ready' || state === 'error') {
                  const at = performance.now();
                  observer.disconnect();
                  const banner = document.getElementById('error-banner');
                  settle({state, at, view: main.dataset.view, banner: banner ? banner.textContent : ''});
                }
              };
              const observer = new MutationObserver(look);
              observer.observe(document, {subtree: true, childList: true, attributes: true, attributeFilter: ['data-state']});
            })();""";

    /** Waits for the settled view and reads the page's resource timings of the API calls (/v1/…). */
    private static final String RESULT = """
            const done = arguments[arguments.length - 1];
            window.__loupeLoad.then(r => {
              const api = performance.getEntriesByType('resource').filter(e => {
                try { return new URL(e.name).pathname.startsWith('/v1/'); } catch (x) { return false; }
              });
              let slowest = null;
              for (const e of api) if (!slowest || e.duration > slowest.duration) slowest = e;
              const u = slowest ? new URL(slowest.name) : null;
              const charts = [...document.querySelectorAll('#view .chart[data-chart]')];
              done({state: r.state, at: r.at, view: r.view, banner: r.banner, apiCalls: api.length,
                charts: charts.length, points: charts.reduce((n, c) => n + Number(c.dataset.points || 0), 0),
                rows: document.querySelectorAll('#view table:not(.u-legend) tbody tr').length,
                lastApi: api.reduce((m, e) => Math.max(m, e.responseEnd), 0),
                slowestPath: u ? decodeURIComponent(u.pathname + u.search) : '', slowestMs: slowest ? slowest.duration : 0});
            });""";

    /** One measured load. */
    record Load(
            String state,
            String view,
            double readyMs,
            int apiCalls,
            double lastApiMs,
            String slowestCall,
            double slowestCallMs,
            int charts,
            int points,
            int rows,
            String banner) {}

    private final ChromeDriver driver;
    private final String base;

    ViewLoads(String base, String readKey) {
        this.base = base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
        ChromeOptions options = new ChromeOptions();
        options.setBinary(System.getProperty("loupe.chromium", "/usr/bin/chromium"));
        options.addArguments(
                "--headless=new",
                "--no-sandbox",
                "--disable-dev-shm-usage",
                "--disable-gpu",
                "--window-size=1440,1000",
                "--lang=en-US");
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File(System.getProperty("loupe.chromedriver", "/usr/bin/chromedriver")))
                .build();
        driver = new ChromeDriver(service, options);
        driver.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(120));
        driver.manage().timeouts().scriptTimeout(Duration.ofSeconds(120));
        driver.executeCdpCommand("Page.addScriptToEvaluateOnNewDocument", Map.of("source", OBSERVER));
        // the key lives in the tab's sessionStorage, as after the key prompt
        driver.get(this.base + "/alerts");
        driver.executeScript("sessionStorage.setItem('loupe.apiKey', arguments[0]);", readKey);
    }

    String browserVersion() {
        return driver.getCapabilities().getBrowserName() + " "
                + driver.getCapabilities().getBrowserVersion();
    }

    /** Loads {@code path} (a full navigation, as opening a link or reloading) and measures it. */
    @SuppressWarnings("unchecked")
    Load load(String path) {
        driver.get(base + path);
        Map<String, Object> r = (Map<String, Object>) driver.executeAsyncScript(RESULT);
        return new Load(
                (String) r.get("state"),
                (String) r.get("view"),
                number(r.get("at")),
                (int) number(r.get("apiCalls")),
                number(r.get("lastApi")),
                (String) r.get("slowestPath"),
                number(r.get("slowestMs")),
                (int) number(r.get("charts")),
                (int) number(r.get("points")),
                (int) number(r.get("rows")),
                (String) r.get("banner"));
    }

    /** {@code warmUps} discarded loads, then {@code runs} measured ones. */
    List<Load> measure(String path, int warmUps, int runs) {
        for (int i = 0; i < warmUps; i++) {
            load(path);
        }
        List<Load> loads = new ArrayList<>(runs);
        for (int i = 0; i < runs; i++) {
            loads.add(load(path));
        }
        return loads;
    }

    private static double number(Object value) {
        return value == null ? 0 : ((Number) value).doubleValue();
    }

    @Override
    public void close() {
        driver.quit();
    }
}
