// Browser test of a rendered site (`rubric render --out SITE`): loads its pages from file:// in
// Debian's Chromium (headless, through playwright-core) at phone (390 px) and desktop (1280 px)
// widths, runs axe-core on each and takes full-page screenshots.
//
// Fails (exit 1) on, for any page at either width:
//   - an axe violation, a console error or an uncaught page error;
//   - a request that is not file:// or data:, or a relative link to a missing file;
//   - sideways scroll (the page wider than the screen: wide tables scroll in their own box);
//   - an RFC 3339 time (`2026-11-26T11:00`) in the visible text (dates are for people; the
//     machine form stays in <time datetime>);
//   - two chart labels whose boxes overlap, or a label over a chart's point marker.
//
// usage: node scripts/browser-test.mjs SITE_DIR SHOTS_DIR [PAGE ...]
//   PAGE: a page of the site to test (default: the overview, the first agent page by name, the
//         first archive page, the calibration page and the reviewers page, those that exist).
//   BROWSER_TOOLS: folder with node_modules/playwright-core and @axe-core/playwright
//                  (default: target/browser-tools of this repository).
//   CHROMIUM: the browser (default: /usr/bin/chromium).
// Normally run through scripts/browser-test.sh, which installs what this needs.

import { createRequire } from "node:module";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const [siteArg, shotsArg, ...pageArgs] = process.argv.slice(2);
if (!siteArg || !shotsArg) {
  console.error("usage: node scripts/browser-test.mjs SITE_DIR SHOTS_DIR [PAGE ...]");
  process.exit(2);
}
const site = resolve(siteArg);
const shots = resolve(shotsArg);
const tools = resolve(process.env.BROWSER_TOOLS || join(here, "..", "target", "browser-tools"));
const executablePath = process.env.CHROMIUM || "/usr/bin/chromium";

const require = createRequire(join(tools, "package.json"));
let chromium, AxeBuilder;
try {
  ({ chromium } = require("playwright-core"));
  const axe = require("@axe-core/playwright");
  AxeBuilder = axe.AxeBuilder ?? axe.default ?? axe;
} catch (e) {
  console.error(`cannot load playwright-core / @axe-core/playwright from ${tools}: ${e.message}`);
  console.error("run scripts/browser-test.sh, which installs them");
  process.exit(2);
}

const index = join(site, "index.html");
if (!existsSync(index)) {
  console.error(`no ${index}: render the site first (rubric render --out ${siteArg})`);
  process.exit(2);
}
const firstHtml = (dir) =>
  existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith(".html")).sort()[0] : undefined;
let pages;
if (pageArgs.length > 0) {
  pages = pageArgs.map((p) => resolve(p));
} else {
  const agents = join(site, "agents");
  const agent = firstHtml(agents);
  if (!agent) {
    console.error(`no agent page in ${agents}`);
    process.exit(2);
  }
  // Archive pages: agents/<id>/<month>.html, the first agent with one.
  const archiveDirs = existsSync(agents)
    ? readdirSync(agents)
        .filter((d) => statSync(join(agents, d)).isDirectory())
        .sort()
    : [];
  const archive = archiveDirs
    .map((d) => (firstHtml(join(agents, d)) ? join(agents, d, firstHtml(join(agents, d))) : undefined))
    .find(Boolean);
  pages = [index, join(agents, agent), archive, join(site, "calibration.html"), join(site, "reviewers.html")]
    .filter((p) => p && existsSync(p));
}
mkdirSync(shots, { recursive: true });

const DESKTOP = { width: 1280, height: 900 };
const PHONE = { width: 390, height: 844 };
const shotName = (file) =>
  file
    .slice(site.length + 1)
    .replace(/\.html$/, "")
    .replace(/[^A-Za-z0-9_-]+/g, "-");
const checks = pages.flatMap((file) => [
  { name: `${shotName(file)} (desktop)`, file, viewport: DESKTOP, shot: `${shotName(file)}-desktop.png` },
  { name: `${shotName(file)} (phone)`, file, viewport: PHONE, shot: `${shotName(file)}-phone.png` },
]);

const profile = mkdtempSync(join(tmpdir(), "rubric-browser-"));
let passed = 0;
let failed = 0;
const context = await chromium.launchPersistentContext(profile, {
  executablePath,
  headless: true,
  viewport: DESKTOP,
  offline: true,
  args: [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
  ],
});
try {
  // Anything that is not the site itself is a failure, and is never let through.
  const foreign = new Set();
  await context.route("**/*", (route) => {
    const url = route.request().url();
    if (url.startsWith("file:") || url.startsWith("data:")) return route.continue();
    foreign.add(url);
    return route.abort();
  });
  context.on("request", (req) => {
    const url = req.url();
    if (!url.startsWith("file:") && !url.startsWith("data:")) foreign.add(url);
  });

  for (const check of checks) {
    const problems = [];
    const page = await context.newPage();
    page.on("console", (msg) => {
      if (msg.type() === "error") problems.push(`console error: ${msg.text()}`);
    });
    page.on("pageerror", (err) => problems.push(`page error: ${err.message}`));
    await page.setViewportSize(check.viewport);
    foreign.clear();
    const url = pathToFileURL(check.file).href;
    await page.goto(url, { waitUntil: "load" });

    for (const u of foreign) problems.push(`network request outside the site: ${u}`);

    // Relative links must point at files that exist.
    const hrefs = await page.$$eval("a[href]", (as) => as.map((a) => a.href));
    for (const href of hrefs) {
      if (!href.startsWith("file:")) continue;
      const target = fileURLToPath(href.split("#")[0]);
      if (!existsSync(target) || !statSync(target).isFile()) problems.push(`broken link: ${href}`);
    }

    // The page must not be wider than the screen (tables and charts scroll in their wrappers).
    const overflow = await page.evaluate(
      () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
    );
    if (overflow > 1) problems.push(`page is ${overflow}px wider than the ${check.viewport.width}px viewport`);

    // Dates are for people: no RFC 3339 time in what the page shows.
    const visible = await page.evaluate(() => document.body.innerText);
    const rfc3339 = visible.match(/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/g);
    if (rfc3339) problems.push(`RFC 3339 time in the visible text: ${[...new Set(rfc3339)].join(", ")}`);

    // Chart labels: no two boxes overlap, and none covers a point's marker (as drawn, in
    // screen pixels, half a pixel of anti-aliasing allowed).
    const clashes = await page.evaluate(() => {
      const out = [];
      const overlap = (a, b) =>
        a.left < b.right - 0.5 && b.left < a.right - 0.5 && a.top < b.bottom - 0.5 && b.top < a.bottom - 0.5;
      document.querySelectorAll("svg").forEach((svg, n) => {
        const labels = [...svg.querySelectorAll("text")].map((t) => ({ t: t.textContent, r: t.getBoundingClientRect() }));
        const markers = [...svg.querySelectorAll("circle.chart-marker")].map((c) => c.getBoundingClientRect());
        for (let i = 0; i < labels.length; i++) {
          for (let j = i + 1; j < labels.length; j++) {
            if (overlap(labels[i].r, labels[j].r)) out.push(`chart ${n + 1}: "${labels[i].t}" overlaps "${labels[j].t}"`);
          }
          for (const m of markers) {
            if (overlap(labels[i].r, m)) out.push(`chart ${n + 1}: "${labels[i].t}" covers a point`);
          }
        }
      });
      return out;
    });
    for (const c of clashes) problems.push(c);
    const charts = await page.evaluate(() => document.querySelectorAll("svg text").length);

    const results = await new AxeBuilder({ page }).analyze();
    for (const v of results.violations) {
      problems.push(`axe ${v.id} (${v.impact}): ${v.help}`);
      for (const node of v.nodes.slice(0, 5)) {
        problems.push(`    at ${node.target.join(" ")}: ${node.failureSummary.replace(/\s+/g, " ")}`);
      }
    }

    await page.screenshot({ path: join(shots, check.shot), fullPage: true });
    await page.close();

    if (problems.length === 0) {
      passed++;
      console.log(
        `ok   ${check.name}: ${results.passes.length} axe rules passed, 0 violations, no sideways scroll, ` +
          `no RFC 3339 time, ${charts} chart labels clear -> ${check.shot}`,
      );
    } else {
      failed++;
      console.log(`FAIL ${check.name} (${url})`);
      for (const p of problems) console.log(`  ${p}`);
    }
  }
} finally {
  await context.close();
  rmSync(profile, { recursive: true, force: true });
}
console.log(`screenshots in ${shots}`);
console.log(`browser: ${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
