// browser.mjs tests claimgraph's provenance browser in a real browser:
// Debian's Chromium (/usr/bin/chromium, headless) driven by playwright-core,
// against the real server started with the demo and the example article:
//
//   BIN serve --demo --demo-text ARTICLE --addr 127.0.0.1:0 --data TMPDIR
//
// on a free loopback port (read from the server's JSON "listening" log
// line), with a write token in CLAIMGRAPH_TOKENS. It walks search -> quote
// -> trace -> source highlight, the claim's columns, asOf, the ingest flow,
// keyboard access and a narrow screen. Any console error, uncaught page
// error, failed request or unexpected HTTP error status fails the test.
// Screenshots are written to tools/browser/screenshots/ (gitignored).
//
//   node tools/browser/browser.mjs [--bin bin/claimgraph] [--text ../shared/seed/example-article.txt]
//                                  [--chromium /usr/bin/chromium] [--out tools/browser/screenshots]
//                                  [--url http://127.0.0.1:8080 --token SECRET] [--timeout 120]
//
// Run with node's test runner output: `node --test-reporter=spec tools/browser/browser.mjs`
// works too; plain `node tools/browser/browser.mjs` prints TAP.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdir, mkdtemp, rm, access } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, "../..");

function parseArgs(argv) {
  const opts = {
    bin: join(root, "bin/claimgraph"),
    text: resolve(root, "../shared/seed/example-article.txt"),
    chromium: "/usr/bin/chromium",
    out: join(here, "screenshots"),
    url: "",
    token: "",
    timeout: 120,
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      if (i + 1 >= argv.length) throw new Error(`${a} needs a value`);
      return argv[++i];
    };
    switch (a) {
      case "--bin": opts.bin = resolve(value()); break;
      case "--text": opts.text = resolve(value()); break;
      case "--chromium": opts.chromium = value(); break;
      case "--out": opts.out = resolve(value()); break;
      case "--url": opts.url = value().replace(/\/$/, ""); break;
      case "--timeout": opts.timeout = Number(value()); break;
      case "--token": opts.token = value(); break;
      default:
        if (a.startsWith("--test")) break; // node's own test flags
        throw new Error(`unknown argument ${a}`);
    }
  }
  return opts;
}

const opts = parseArgs(process.argv.slice(2));
// The write token: made up for the server this script starts, or given
// with --token for a server at --url.
const TOKEN = opts.token || "browser-" + randomBytes(12).toString("hex");
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// The launch arguments the issue prescribes for Debian's Chromium.
const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
];

let server; // { child, exited, base, log }
let dataDir;
let browser;
let base;

async function startServer() {
  dataDir = await mkdtemp(join(tmpdir(), "claimgraph-browser-"));
  const args = ["serve", "--demo", "--demo-text", opts.text, "--addr", "127.0.0.1:0", "--data", dataDir, "--log-format", "json"];
  const env = { ...process.env, CLAIMGRAPH_TOKENS: `browser-test:${TOKEN}` };
  const child = spawn(opts.bin, args, { stdio: ["ignore", "pipe", "pipe"], env });
  const log = [];
  const exited = new Promise((res) => child.once("exit", (code, signal) => res({ code, signal })));
  const spawnError = new Promise((_, rej) => child.once("error", rej));
  child.stdout.on("data", (d) => log.push(String(d)));
  const lines = createInterface({ input: child.stderr });
  const listening = new Promise((res) => {
    lines.on("line", (line) => {
      log.push(line);
      let rec;
      try {
        rec = JSON.parse(line);
      } catch {
        return;
      }
      if (rec && rec.message === "listening" && typeof rec.addr === "string") res(rec.addr);
    });
  });
  const addr = await Promise.race([
    listening,
    spawnError,
    exited.then(({ code, signal }) => {
      throw new Error(`the server exited before listening (code ${code}, signal ${signal}):\n${log.join("\n")}`);
    }),
    new Promise((_, rej) => {
      // unref: a pending timer must not keep node alive after the tests.
      setTimeout(() => rej(new Error("the server did not log a listening address in time")), opts.timeout * 1000).unref();
    }),
  ]);
  server = { child, exited, log };
  return `http://${addr}`;
}

async function stopServer() {
  if (!server || server.child.exitCode !== null || server.child.signalCode !== null) return;
  server.child.kill("SIGTERM");
  const res = await Promise.race([server.exited, new Promise((r) => setTimeout(() => r(null), 5000).unref())]);
  if (res === null) {
    server.child.kill("SIGKILL");
    await server.exited;
  }
}

async function waitHealthy() {
  const deadline = Date.now() + opts.timeout * 1000;
  let last = "no answer";
  while (Date.now() < deadline) {
    try {
      const res = await fetch(`${base}/healthz`);
      if (res.ok) return;
      last = `status ${res.status}`;
    } catch (err) {
      last = String(err);
    }
    await sleep(100);
  }
  throw new Error(`the server never became healthy: ${last}`);
}

before(async () => {
  await access(opts.chromium).catch(() => {
    throw new Error(`${opts.chromium} is missing: apt-get install -y chromium`);
  });
  await mkdir(opts.out, { recursive: true });
  base = opts.url || (await startServer());
  await waitHealthy();
  browser = await chromium.launch({ executablePath: opts.chromium, headless: true, args: CHROMIUM_ARGS });
});

after(async () => {
  if (browser) await browser.close();
  await stopServer();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

// watch opens a page in a new context and records every console error,
// page error, failed request and HTTP error status on it. expectStatus
// lists URL substrings that may answer with an error status.
async function open(viewport = { width: 1280, height: 900 }) {
  const context = await browser.newContext({ viewport, baseURL: base });
  const page = await context.newPage();
  const problems = [];
  const allowed = [];
  const allowedConsole = [];
  page.on("console", (msg) => {
    if (msg.type() !== "error") return;
    // Chromium logs an expected error status of a page as a console error.
    const i = allowedConsole.findIndex((a) => msg.text().includes(`status of ${a.status}`) && msg.location().url.includes(a.url));
    if (i >= 0) {
      allowedConsole.splice(i, 1);
      return;
    }
    problems.push(`console error: ${msg.text()} (${msg.location().url})`);
  });
  page.on("pageerror", (err) => problems.push(`page error: ${err.message}`));
  page.on("requestfailed", (req) => {
    const why = req.failure() ? req.failure().errorText : "failed";
    // A navigation that replaces a still-loading request aborts it.
    if (why === "net::ERR_ABORTED" && req.resourceType() !== "document") return;
    problems.push(`request failed: ${req.method()} ${req.url()}: ${why}`);
  });
  page.on("response", (res) => {
    const status = res.status();
    if (status < 400) return;
    const allow = allowed.findIndex((a) => a.status === status && res.url().includes(a.url));
    if (allow >= 0) {
      allowed.splice(allow, 1);
      return;
    }
    problems.push(`HTTP ${status}: ${res.request().method()} ${res.url()}`);
  });
  return {
    page,
    context,
    // expect lets the next response to a URL containing url have status.
    expect(url, status) {
      allowed.push({ url, status });
      allowedConsole.push({ url, status });
    },
    async done(name) {
      if (name) await shot(page, name);
      await context.close();
      assert.deepEqual(problems, [], "the page had errors");
    },
  };
}

async function shot(page, name) {
  await page.screenshot({ path: join(opts.out, `${name}.png`), fullPage: true });
}

// textIn returns the visible text of the first element matching selector.
async function textIn(page, selector) {
  return (await page.locator(selector).first().innerText()).replace(/\s+/g, " ").trim();
}

test("search, quote, trace and source highlight", async () => {
  const t = await open();
  const { page } = t;
  await page.goto("/");
  await shot(page, "01-home");
  await page.getByLabel("Words of a quote, a name, a claim, a figure or a source").fill("crime is way down");
  await Promise.all([page.waitForURL(/[?&]q=crime/), page.locator("form.big-search button").click()]);
  // The quote hit names Donald Trump and links to the quote.
  const hit = page.locator("#g-quote .hit").filter({ hasText: "crime is way down" });
  await assert.doesNotReject(hit.first().waitFor());
  assert.match(await hit.first().innerText(), /Donald Trump/);
  assert.equal(await hit.first().locator("mark.hit").first().innerText(), "crime is way down");
  await shot(page, "02-search");

  await Promise.all([page.waitForURL(/\/n\/q-trump-crime-down/), hit.first().locator("a.hit-title").click()]);
  const marked = page.locator(".context .source-text mark.quote");
  assert.equal(await marked.count(), 1, "the quote page marks the quote once in its source text");
  assert.equal((await marked.innerText()).trim(), "crime is way down");
  assert.match(await textIn(page, ".byline"), /Donald Trump/);
  await shot(page, "03-quote");

  // Its trace: drawn, and listed.
  await Promise.all([page.waitForURL(/\/trace\/q-trump-crime-down/), page.getByRole("link", { name: "Trace its provenance" }).click()]);
  await page.waitForSelector("#trace-graph[data-drawn]");
  assert.ok(Number(await page.getAttribute("#trace-graph", "data-drawn")) >= 3, "the graph has nodes");
  assert.ok(await page.locator("#trace-graph canvas").count() > 0, "cytoscape drew on a canvas");
  assert.match(await textIn(page, "ol.levels"), /Donald Trump/);
  await shot(page, "04-trace-crime");

  // From the trace to the article, whose text highlights every span.
  await Promise.all([
    page.waitForURL(/\/n\/article-trump-walz-call/),
    page.locator("ol.levels a[href^='/n/article-trump-walz-call']").first().click(),
  ]);
  const keys = await page.locator("#text mark[data-key]").evaluateAll((ms) => [...new Set(ms.map((m) => m.dataset.key))]);
  assert.ok(keys.length >= 8, `the source highlights ${keys.length} spans, want at least 8`);
  assert.ok(keys.includes("q-trump-crime-down") && keys.includes("f-shootings"), "quotes and figures are highlighted");
  // A highlight links to its quote.
  const link = page.locator("#at-q-trump-crime-down a").first();
  assert.equal(await link.getAttribute("href"), "/n/q-trump-crime-down");
  await shot(page, "05-source");
  await t.done();
});

test("trace of Walz's request draws the graph and lists both speakers", async () => {
  const t = await open();
  const { page } = t;
  await page.goto("/trace/q-walz-request");
  await page.waitForSelector("#trace-graph[data-drawn]");
  const list = await textIn(page, "ol.levels");
  assert.match(list, /Tim Walz/);
  assert.match(list, /Donald Trump/);
  assert.match(await textIn(page, ".trace-summary"), /Original: Tim Walz/);
  await shot(page, "06-trace-walz");
  // Clicking a node of the drawing opens its page.
  const pos = await page.evaluate(() => {
    const box = document.getElementById("trace-graph");
    const n = box.cy.getElementById("tim-walz");
    const p = n.renderedPosition();
    const r = box.getBoundingClientRect();
    return { x: r.left + p.x, y: r.top + p.y };
  });
  await Promise.all([page.waitForURL(/\/n\/tim-walz/), page.mouse.click(pos.x, pos.y)]);
  assert.match(await textIn(page, "h1"), /Tim Walz/);
  await t.done();
});

test("claim columns: supporting figures and contradicting quote", async () => {
  const t = await open();
  const { page } = t;
  await page.goto("/n/c-crime-down");
  const sup = await textIn(page, "section.supporting");
  const con = await textIn(page, "section.contradicting");
  assert.match(sup, /76%/);
  assert.match(sup, /67%/);
  assert.match(con, /less safe/);
  assert.doesNotMatch(sup, /less safe/);
  assert.match(await textIn(page, ".assessment"), /Disputed/);
  await shot(page, "07-claim");
  await t.done();
});

test("person page lists the quotes by date", async () => {
  const t = await open();
  const { page } = t;
  await page.goto("/n/donald-trump");
  const quotes = page.locator("section[aria-labelledby='h-quotes'] li.quote-item");
  assert.ok((await quotes.count()) >= 5, "Trump's quotes are listed");
  assert.match(await textIn(page, "section[aria-labelledby='h-quotes']"), /crime is way down/);
  const wikidata = page.locator("a[href='https://www.wikidata.org/wiki/Q22686']");
  assert.equal(await wikidata.count(), 1, "the Wikidata id links to Wikidata");
  await shot(page, "08-person");
  await t.done();
});

test("figure page sets the disagreeing counts side by side", async () => {
  const t = await open();
  const { page } = t;
  await page.goto("/n/f-walz-agents");
  const cmp = page.locator(".compare").filter({ hasText: "an extra 2,000" });
  assert.equal(await cmp.count(), 1);
  assert.match(await cmp.innerText(), /different_scope/);
  await shot(page, "09-figure");
  await t.done();
});

test("asOf: the picker shows the graph as it stood, and links keep it", async () => {
  const t = await open();
  const { page } = t;
  // Before the demo was loaded the graph was empty.
  await page.goto("/?q=crime+is+way+down");
  await page.fill("#asof", "2001-01-01T00:00:00");
  await Promise.all([page.waitForURL(/asOf=/), page.locator("form.asof button").click()]);
  assert.match(await textIn(page, ".asof-note"), /2001-01-01 00:00:00 UTC/);
  assert.match(await textIn(page, "main"), /Nothing matches/);
  assert.equal(new URL(page.url()).searchParams.get("q"), "crime is way down", "the picker keeps the query");
  await shot(page, "10-asof-past");

  // Now, pinned to the present through the permalink: the quote is there,
  // and internal links carry asOf.
  await page.goto("/n/c-crime-down");
  const permalink = await page.getAttribute("a[rel=bookmark]", "href");
  await page.goto(permalink);
  assert.match(await textIn(page, ".asof-note"), /Showing the graph as it stood at/);
  assert.match(await textIn(page, "section.supporting"), /76%/);
  const href = await page.locator("section.supporting a.value").first().getAttribute("href");
  assert.match(href, /asOf=/);
  await Promise.all([page.waitForURL(/\/n\/f-.*asOf=/), page.locator("section.supporting a.value").first().click()]);
  await shot(page, "11-asof-figure");
  await t.done();
});

test("keyboard: skip link, focus and export links", async () => {
  const t = await open();
  const { page } = t;
  await page.goto("/n/q-trump-crime-down");
  await page.keyboard.press("Tab");
  assert.equal(await page.evaluate(() => document.activeElement.textContent.trim()), "Skip to content");
  const outline = await page.evaluate(() => getComputedStyle(document.activeElement).outlineStyle);
  assert.notEqual(outline, "none", "the focused link shows a focus outline");
  await page.keyboard.press("Enter");
  assert.equal(await page.evaluate(() => document.activeElement.id), "main");
  const exports = await page.locator(".exports a").evaluateAll((as) => as.map((a) => a.getAttribute("href")));
  assert.deepEqual(exports, [
    "/export?format=bundle&ids=q-trump-crime-down",
    "/export?format=csv&ids=q-trump-crime-down",
    "/export?format=parquet&ids=q-trump-crime-down",
    "/export?format=prov-json&ids=q-trump-crime-down",
  ]);
  // Every form control has a label.
  const unlabelled = await page.evaluate(() =>
    [...document.querySelectorAll("input:not([type=hidden]), select, textarea")].filter((el) => !el.labels || el.labels.length === 0).map((el) => el.name),
  );
  assert.deepEqual(unlabelled, []);
  await t.done();
});

test("narrow screen: no sideways scrolling", async () => {
  const t = await open({ width: 375, height: 740 });
  const { page } = t;
  for (const [path, name] of [
    ["/n/c-crime-down", "12-narrow-claim"],
    ["/n/q-walz-request", "13-narrow-quote"],
    ["/n/f-walz-agents", "14-narrow-figure"],
    ["/trace/q-walz-request", "15-narrow-trace"],
  ]) {
    await page.goto(path);
    const over = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    assert.ok(over <= 0, `${path} scrolls sideways by ${over}px on a narrow screen`);
    await shot(page, name);
  }
  await t.done();
});

// The article the ingest test pastes: written for this test.
const ARTICLE = `Harbour council approves new ferry timetable

3 Mar, 2026 09:15

The Lakeside harbour council voted on Tuesday to keep the night ferry running through the winter.

“We will not leave the island without a crossing after dark,” council chair Maria Okafor said after the vote.

Ferry operator Tomas Lindqvist warned that fuel costs had risen 18% since last year. “The night service loses money every week,” he said.
`;

test("ingest: paste, see the draft, fix a speaker, commit with a token", async () => {
  const t = await open();
  const { page } = t;
  await page.goto("/ingest");
  await shot(page, "16-ingest-form");
  await page.fill("#text", ARTICLE);
  await page.fill("#title", "Harbour council approves new ferry timetable");
  await page.fill("#url", "https://example.org/lakeside/ferry");
  await page.fill("#published_at", "2026-03-03");
  await page.fill("#key", "article-lakeside-ferry");
  await Promise.all([page.waitForURL(/\/ingest$/), page.locator("#extract").click()]);
  const marks = page.locator(".draft-text mark.quote");
  assert.ok((await marks.count()) >= 2, "the draft highlights the quotes in the text");
  await shot(page, "17-ingest-draft");

  // Fix the speaker of the first quote: a new person.
  const row = page.locator("table.draft-quotes tbody tr").filter({ hasText: "without a crossing after dark" });
  await row.locator("select").selectOption("new");
  await row.locator("input").fill("Maria Okafor-Berg");
  await Promise.all([page.waitForURL(/\/ingest$/), page.locator("#preview").click()]);
  const fixed = page.locator("table.draft-quotes tbody tr").filter({ hasText: "without a crossing after dark" });
  assert.equal(await fixed.locator("select").inputValue(), "new");
  assert.match(await textIn(page, ".draft"), /Maria Okafor-Berg/);

  // A wrong token writes nothing.
  await page.fill("#token", "not-the-token");
  t.expect("/ingest/commit", 403);
  await Promise.all([page.waitForURL(/\/ingest\/commit$/), page.locator("#commit").click()]);
  assert.match(await textIn(page, "#ingest-error"), /token was not accepted/);

  // The right token commits.
  await page.fill("#token", TOKEN);
  await page.fill("#note", "browser test");
  await Promise.all([page.waitForURL(/\/ingest\/commit$/), page.locator("#commit").click()]);
  assert.match(await textIn(page, ".done"), /Committed/);
  await shot(page, "18-ingest-done");
  await Promise.all([page.waitForURL(/\/n\/article-lakeside-ferry/), page.locator("#committed-source").click()]);
  assert.ok((await page.locator("#text mark.quote").count()) >= 2, "the committed source highlights its quotes");
  await shot(page, "19-ingest-source");

  // The new quote is found, said by the fixed speaker.
  await page.goto("/?q=without+a+crossing+after+dark");
  assert.match(await textIn(page, "#g-quote"), /Maria Okafor-Berg/);
  await t.done();
});
