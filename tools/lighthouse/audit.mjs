// Audits each URL given on stdin (one per line) with Lighthouse in one Chromium, and
// prints one JSON line per URL: its category scores and the audits that cost points.
// Usage: CHROME_PATH=/usr/bin/chromium node audit.mjs mobile|desktop < urls.txt
import { launch } from "chrome-launcher";
import lighthouse from "lighthouse";
import desktopConfig from "lighthouse/core/config/desktop-config.js";
import { readFileSync } from "node:fs";

const preset = process.argv[2] === "desktop" ? desktopConfig : undefined;
const urls = readFileSync(0, "utf8").split("\n").map((u) => u.trim()).filter(Boolean);
const chrome = await launch({ chromePath: process.env.CHROME_PATH,
                              chromeFlags: ["--headless=new", "--no-sandbox", "--disable-gpu",
                                            // No host but this machine resolves: nothing leaves it.
                                            "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"] });
try {
  for (const url of urls) {
    const result = await lighthouse(url, {
      port: chrome.port, output: "json", logLevel: "error",
      onlyCategories: ["performance", "accessibility", "best-practices", "seo"],
    }, preset);
    const lhr = result.lhr;
    const scores = Object.fromEntries(Object.entries(lhr.categories).map(([k, v]) => [k, v.score]));
    const failing = [];
    for (const [name, category] of Object.entries(lhr.categories)) {
      for (const ref of category.auditRefs) {
        const audit = lhr.audits[ref.id];
        if (ref.weight > 0 && audit.score !== null && audit.score < 1) {
          failing.push({ category: name, id: ref.id, score: audit.score, value: audit.displayValue || "" });
        }
      }
    }
    process.stdout.write(JSON.stringify({ url, scores, failing, error: lhr.runtimeError?.message || null }) + "\n");
  }
} finally {
  await chrome.kill();
}
