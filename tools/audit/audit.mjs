// audit.mjs runs the graphql-http server audit suite (every audit of
// serverAudits) against claimgraph's /graphql endpoint and prints each
// result. It exits 1 when any audit has status "error" (a MUST of the
// GraphQL over HTTP spec broken) and lists warnings and notices.
//
// By default it starts the server itself: `BIN serve --demo` on a free
// loopback port (--addr 127.0.0.1:0; the port is read from the server's
// "listening" log line) with a fresh temporary data directory, waits for
// /healthz, runs the audits and always stops the server and removes the
// directory. With --url it audits a server that is already running.
//
//   node tools/audit/audit.mjs [--bin bin/claimgraph] [--url http://127.0.0.1:8080/graphql]
//                              [--timeout 60] [--keep-log]

import { spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { createInterface } from "node:readline";
import { serverAudits } from "graphql-http";

function usage(msg) {
  if (msg) console.error(`audit: ${msg}`);
  console.error("usage: node tools/audit/audit.mjs [--bin PATH] [--url URL] [--timeout SECONDS] [--keep-log]");
  process.exit(2);
}

function parseArgs(argv) {
  const opts = { bin: "bin/claimgraph", url: "", timeout: 60, keepLog: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      if (i + 1 >= argv.length) usage(`${a} needs a value`);
      return argv[++i];
    };
    switch (a) {
      case "--bin":
        opts.bin = value();
        break;
      case "--url":
        opts.url = value();
        break;
      case "--timeout":
        opts.timeout = Number(value());
        if (!(opts.timeout > 0)) usage("--timeout must be a positive number of seconds");
        break;
      case "--keep-log":
        opts.keepLog = true;
        break;
      case "-h":
      case "--help":
        usage();
        break;
      default:
        usage(`unknown argument ${a}`);
    }
  }
  return opts;
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// startServer starts `bin serve --demo` on a free loopback port and resolves
// with the server's base URL once it has logged where it listens.
async function startServer(bin, dataDir, deadline, log) {
  const args = ["serve", "--demo", "--addr", "127.0.0.1:0", "--data", dataDir, "--log-format", "json"];
  const child = spawn(resolve(bin), args, { stdio: ["ignore", "pipe", "pipe"] });
  const exited = new Promise((res) => child.once("exit", (code, signal) => res({ code, signal })));
  const spawnError = new Promise((_, rej) => child.once("error", rej));

  child.stdout.on("data", (d) => log.push(String(d)));
  const lines = createInterface({ input: child.stderr });
  const listening = new Promise((res) => {
    lines.on("line", (line) => {
      log.push(line + "\n");
      let rec;
      try {
        rec = JSON.parse(line);
      } catch {
        return;
      }
      if (rec && rec.message === "listening" && typeof rec.addr === "string") res(rec.addr);
    });
  });

  const timeout = sleep(Math.max(0, deadline - Date.now())).then(() => {
    throw new Error("the server did not log a listening address in time");
  });
  const addr = await Promise.race([
    listening,
    spawnError,
    exited.then(({ code, signal }) => {
      throw new Error(`the server exited before listening (code ${code}, signal ${signal})`);
    }),
    timeout,
  ]);
  return { child, exited, base: `http://${addr}` };
}

// stopServer sends SIGTERM, then SIGKILL if the server has not exited after
// five seconds.
async function stopServer(server) {
  if (!server || server.child.exitCode !== null || server.child.signalCode !== null) return;
  server.child.kill("SIGTERM");
  const res = await Promise.race([server.exited, sleep(5000).then(() => null)]);
  if (res === null) {
    console.error("audit: server did not stop within 5s of SIGTERM; killing it");
    server.child.kill("SIGKILL");
    await server.exited;
  }
}

async function waitHealthy(base, deadline) {
  let last = "no answer";
  while (Date.now() < deadline) {
    try {
      const res = await fetch(`${base}/healthz`);
      if (res.ok) return;
      last = `status ${res.status}: ${await res.text()}`;
    } catch (err) {
      last = String(err && err.cause ? err.cause : err);
    }
    await sleep(100);
  }
  throw new Error(`/healthz did not answer 200 in time (${last})`);
}

async function describeResponse(res) {
  if (!res) return "";
  let body = "";
  try {
    body = await res.clone().text();
  } catch {
    body = "(body already read)";
  }
  if (body.length > 400) body = body.slice(0, 400) + "...";
  return `      response: ${res.status} ${res.headers.get("content-type") || ""} ${body}`;
}

async function runAudits(url) {
  const audits = serverAudits({ url });
  if (audits.length === 0) throw new Error("graphql-http returned no audits");
  const results = [];
  for (const audit of audits) {
    let result;
    try {
      result = await audit.fn();
    } catch (err) {
      // A throw is a fatal audit failure (for example a connection refused).
      result = { id: audit.id, name: audit.name, status: "error", reason: `audit threw: ${err && err.stack ? err.stack : err}` };
    }
    results.push(result);
    const mark = { ok: "ok    ", notice: "notice", warn: "WARN  ", error: "ERROR " }[result.status] || result.status;
    console.log(`${mark} ${result.id} ${result.name}`);
    if (result.status !== "ok") {
      console.log(`      reason: ${result.reason}`);
      const detail = await describeResponse(result.response);
      if (detail) console.log(detail);
    }
  }
  return results;
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const deadline = Date.now() + opts.timeout * 1000;
  const log = [];
  let server = null;
  let dataDir = "";
  let url = opts.url;
  let failed = true;

  const onSignal = async (sig) => {
    await stopServer(server);
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
    process.exit(sig === "SIGINT" ? 130 : 143);
  };
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);

  try {
    if (!url) {
      dataDir = await mkdtemp(join(tmpdir(), "claimgraph-audit-"));
      server = await startServer(opts.bin, dataDir, deadline, log);
      await waitHealthy(server.base, deadline);
      url = `${server.base}/graphql`;
    }
    console.log(`graphql-http server audit of ${url}`);
    const results = await runAudits(url);
    const count = (s) => results.filter((r) => r.status === s).length;
    const errors = count("error");
    const warns = results.filter((r) => r.status === "warn");
    const notices = results.filter((r) => r.status === "notice");
    if (warns.length > 0) {
      console.log(`warnings (${warns.length}):`);
      for (const r of warns) console.log(`  ${r.id} ${r.name}: ${r.reason}`);
    }
    if (notices.length > 0) {
      console.log(`notices (${notices.length}):`);
      for (const r of notices) console.log(`  ${r.id} ${r.name}: ${r.reason}`);
    }
    console.log(`${results.length} audits: ${count("ok")} ok, ${warns.length} warnings, ${notices.length} notices, ${errors} errors`);
    console.log(`graphql-http: ${results.length - errors} passed, ${errors} failed`);
    failed = errors > 0;
  } catch (err) {
    console.error(`audit: ${err && err.message ? err.message : err}`);
  } finally {
    await stopServer(server);
    if (server && (failed || opts.keepLog)) {
      console.error("---- server log (last 60 lines) ----");
      console.error(log.join("").split("\n").slice(-61).join("\n"));
    }
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  }
  process.exit(failed ? 1 : 0);
}

main();
