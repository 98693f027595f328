// Browser test of a private site (`rubric render --private --out SITE` and `rubric keys
// --format json > KEYS`), from file:// in Debian's Chromium (headless, through playwright-core):
//
// - the unlock form passes axe-core (desktop and phone), and so does an opened page;
// - an agent's key (in the link's #key=) opens their page;
// - it does not open another agent's page (typed into the form) or the overview (in the link),
//   and the refusal says so and shows nothing of the page;
// - a lead's key opens every page, and the overview's links carry it to an agent's page;
// - "remember on this device" opens the page without a key next time;
// - no console error, no page error, no request that is not file:// or data:.
//
// usage: node scripts/browser-test-private.mjs SITE_DIR SHOTS_DIR KEYS_JSON
// Normally run as `scripts/browser-test.sh --private SITE_DIR SHOTS_DIR KEYS_JSON`.

import { createRequire } from "node:module";
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const [siteArg, shotsArg, keysArg] = process.argv.slice(2);
if (!siteArg || !shotsArg || !keysArg) {
  console.error("usage: node scripts/browser-test-private.mjs SITE_DIR SHOTS_DIR KEYS_JSON");
  process.exit(2);
}
const site = resolve(siteArg);
const shots = resolve(shotsArg);
const tools = resolve(process.env.BROWSER_TOOLS || join(here, "..", "target", "browser-tools"));
const require = createRequire(join(tools, "package.json"));
const { chromium } = require("playwright-core");
const axe = require("@axe-core/playwright");
const AxeBuilder = axe.AxeBuilder ?? axe.default ?? axe;

const keys = JSON.parse(readFileSync(keysArg, "utf8"));
const lead = keys.find((k) => k.pages.includes("index.html"));
const agents = keys.filter((k) => !k.pages.includes("index.html") && k.pages.length === 1);
if (!lead || agents.length < 2) {
  console.error("the site needs a lead and two agents with pages (see rubric keys)");
  process.exit(2);
}
const [a, b] = agents;
const url = (name, key) => pathToFileURL(join(site, name)).href + (key ? `#key=${key}` : "");
mkdirSync(shots, { recursive: true });

const DESKTOP = { width: 1280, height: 900 };
const PHONE = { width: 390, height: 844 };
const profile = mkdtempSync(join(tmpdir(), "rubric-private-"));
const context = await chromium.launchPersistentContext(profile, {
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  headless: true,
  viewport: DESKTOP,
  offline: true,
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
const foreign = new Set();
await context.route("**/*", (route) => {
  const u = route.request().url();
  if (u.startsWith("file:") || u.startsWith("data:")) return route.continue();
  foreign.add(u);
  return route.abort();
});

let passed = 0;
let failed = 0;
async function check(name, body) {
  const problems = [];
  const page = await context.newPage();
  page.on("console", (msg) => msg.type() === "error" && problems.push(`console error: ${msg.text()}`));
  page.on("pageerror", (err) => problems.push(`page error: ${err.message}`));
  foreign.clear();
  try {
    await body(page, problems);
  } catch (e) {
    problems.push(`threw: ${e.message}`);
  }
  for (const u of foreign) problems.push(`network request outside the site: ${u}`);
  await page.close();
  if (problems.length === 0) {
    passed++;
    console.log(`ok   ${name}`);
  } else {
    failed++;
    console.log(`FAIL ${name}`);
    for (const p of problems) console.log(`  ${p}`);
  }
}

// Waits until the page opened or refused; returns what the reader sees.
async function outcome(page) {
  await page.waitForFunction(
    () => document.documentElement.dataset.rubricOpened === "true" || (document.getElementById("key-message")?.textContent ?? "") !== "",
    null,
    { timeout: 10000 },
  );
  return page.evaluate(() => ({
    opened: document.documentElement.dataset.rubricOpened === "true",
    message: document.getElementById("key-message")?.textContent ?? "",
    title: document.title,
    text: document.body.innerText,
  }));
}

async function axeClean(page, problems, label) {
  const results = await new AxeBuilder({ page }).analyze();
  for (const v of results.violations) {
    problems.push(`axe ${label} ${v.id} (${v.impact}): ${v.help}`);
    for (const n of v.nodes.slice(0, 3)) problems.push(`    at ${n.target.join(" ")}`);
  }
}

function refused(seen, problems, expected) {
  if (seen.opened) problems.push("the page opened");
  if (!seen.message.includes(expected)) problems.push(`message "${seen.message}", expected "${expected}"`);
  if (seen.title !== "Private page") problems.push(`title changed to "${seen.title}"`);
}

for (const [label, viewport] of [["desktop", DESKTOP], ["phone", PHONE]]) {
  await check(`the unlock form passes axe-core (${label})`, async (page, problems) => {
    await page.setViewportSize(viewport);
    await page.goto(url(a.pages[0]));
    await axeClean(page, problems, "form");
    await page.screenshot({ path: join(shots, `unlock-${label}.png`), fullPage: true });
    // A refusal, too, passes.
    await page.fill("#key", "x".repeat(43));
    await page.click("button[type=submit]");
    await outcome(page);
    await axeClean(page, problems, "refused form");
  });
}

await check(`${a.person}'s key opens their page`, async (page, problems) => {
  await page.goto(url(a.pages[0], a.key));
  const seen = await outcome(page);
  if (!seen.opened) problems.push(`not opened: ${seen.message}`);
  if (seen.title === "Private page") problems.push("the page's own title is not shown");
  await axeClean(page, problems, "opened page");
  await page.screenshot({ path: join(shots, "agent-opened.png"), fullPage: true });
});

await check(`${a.person}'s key does not open ${b.person}'s page`, async (page, problems) => {
  await page.goto(url(b.pages[0]));
  await page.fill("#key", a.key);
  await page.click("button[type=submit]");
  refused(await outcome(page), problems, "This key does not open this page.");
  if ((await page.getAttribute("#key", "aria-invalid")) !== "true") problems.push("the field is not marked invalid");
  await page.screenshot({ path: join(shots, "agent-refused.png"), fullPage: true });
});

await check(`${a.person}'s key does not open the overview`, async (page, problems) => {
  await page.goto(url("index.html", a.key));
  refused(await outcome(page), problems, "The key in this link does not open this page.");
});

await check(`${lead.person}'s key (lead) opens all ${lead.pages.length} pages`, async (page, problems) => {
  for (const name of lead.pages) {
    await page.goto("about:blank");
    await page.goto(url(name, lead.key));
    const seen = await outcome(page);
    if (!seen.opened) problems.push(`${name} not opened: ${seen.message}`);
  }
});

await check("the overview's links carry the lead's key to an agent page", async (page, problems) => {
  await page.goto(url("index.html", lead.key));
  await outcome(page);
  const link = page.locator(`a[href^="${a.pages[0]}#key="]`).first();
  await link.click();
  await page.waitForURL((u) => u.pathname.endsWith(a.pages[0]), { timeout: 10000 });
  await page.waitForLoadState("load");
  const seen = await outcome(page);
  if (!seen.opened) problems.push(`not opened after following the link: ${seen.message}`);
  if (!page.url().includes(a.pages[0])) problems.push(`followed to ${page.url()}`);
});

await check("remember on this device opens the page again without a key", async (page, problems) => {
  await page.goto(url(a.pages[0]));
  await page.fill("#key", a.key);
  await page.check("#remember");
  await page.click("button[type=submit]");
  if (!(await outcome(page)).opened) problems.push("not opened with the typed key");
  await page.goto("about:blank");
  await page.goto(url(a.pages[0]));
  if (!(await outcome(page)).opened) problems.push("not opened with the remembered key");
  await page.goto("about:blank");
  await page.goto(url(b.pages[0]));
  refused(await outcome(page), problems, "The key remembered on this device does not open this page.");
  // Unticked, the next opening forgets it.
  await page.uncheck("#remember");
  await page.fill("#key", b.key);
  await page.click("button[type=submit]");
  await outcome(page);
  const left = await page.evaluate(() => localStorage.getItem("rubric-pages-key"));
  if (left !== null) problems.push("the key is still remembered after unticking");
});

await context.close();
rmSync(profile, { recursive: true, force: true });
console.log(`screenshots in ${shots}`);
console.log(`private pages in the browser: ${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
