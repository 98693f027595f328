// Browser test of a rendered site (`rubric render --out SITE`): loads the index and one agent
// page from file:// in Debian's Chromium (headless, through playwright-core), runs axe-core on
// them at desktop and phone widths, and takes full-page screenshots.
//
// Fails (exit 1) on any axe violation, any console error or uncaught page error, any request
// that is not file:// or data:, and any relative link that points at a missing file.
//
// usage: node scripts/browser-test.mjs SITE_DIR SHOTS_DIR [AGENT_PAGE]
//   AGENT_PAGE: a path under SITE_DIR/agents (default: the first agent page by name).
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
const [siteArg, shotsArg, agentArg] = process.argv.slice(2);
if (!siteArg || !shotsArg) {
  console.error("usage: node scripts/browser-test.mjs SITE_DIR SHOTS_DIR [AGENT_PAGE]");
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
let agent;
if (agentArg) {
  agent = resolve(agentArg);
} else {
  const dir = join(site, "agents");
  const pages = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith(".html")).sort() : [];
  if (pages.length === 0) {
    console.error(`no agent page in ${dir}`);
    process.exit(2);
  }
  agent = join(dir, pages[0]);
}
mkdirSync(shots, { recursive: true });

const DESKTOP = { width: 1280, height: 900 };
const PHONE = { width: 390, height: 844 };
const checks = [
  { name: "index (desktop)", file: index, viewport: DESKTOP, shot: "index-desktop.png" },
  { name: "index (phone)", file: index, viewport: PHONE, shot: "index-phone.png" },
  { name: "agent (desktop)", file: agent, viewport: DESKTOP, shot: "agent-desktop.png" },
  { name: "agent (phone)", file: agent, viewport: PHONE, shot: "agent-phone.png" },
];

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
      console.log(`ok   ${check.name}: ${results.passes.length} axe rules passed, 0 violations -> ${check.shot}`);
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
