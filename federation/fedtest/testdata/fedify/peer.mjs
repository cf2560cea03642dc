// An independent ActivityPub peer built on Fedify (npm @fedify/fedify),
// driven by Convene's interop test (federation/fedtest/fedify_test.go).
//
//   node peer.mjs --port 0
//
// listens on 127.0.0.1 (port 0: a free one), prints one JSON line on stdout,
// {"origin":"http://127.0.0.1:PORT","actor":"http://127.0.0.1:PORT/users/peer"},
// then serves the Fedify federation (the actor "peer", a Person with an RSA
// and an Ed25519 key generated at start, its inbox, the shared inbox,
// WebFinger, NodeInfo)
// and a control API for the test:
//
//   POST /control/follow {"actor": IRI}                   send a Follow to actor
//   POST /control/join   {"event": IRI, "organizer": IRI} send a Join to organizer
//   POST /control/fetch  {"url": URL}                     signed GET, return the document
//   GET  /control/inbox    activities Fedify's inbox listeners received
//   GET  /control/requests every HTTP request the peer answered, with its signature
//   GET  /control/logs     Fedify's log records of level warning and above
//
// Control answers are JSON: {"ok":true,...} or {"ok":false,"error":"..."}
// with status 200 or 502. Fedify's own logs go to stderr.
//
// The actor document (and its key) is served only to signed GETs whose
// signature Fedify verified: a GET of it proves the fetcher's signature.
//
// Nothing leaves the machine: globalThis.fetch refuses every host outside
// 127.0.0.0/8, and rewrites https to http for it (Fedify resolves handles
// over https, always).
//
// Fedify 1.9 declares Node >= 22; one shim makes it run on Node 20. (The
// global navigator that INTEROP.md lists for Ed25519 keys is not needed by
// 1.9.1: it only reads navigator.userAgent after checking it exists.)

import { AsyncLocalStorage } from "node:async_hooks";
import { createServer } from "node:http";
import { randomUUID } from "node:crypto";
import { configure } from "@logtape/logtape";
import {
  Activity,
  createFederation,
  Endpoints,
  Follow,
  generateCryptoKeyPair,
  isActor,
  Join,
  MemoryKvStore,
  Person,
  PUBLIC_COLLECTION,
} from "@fedify/fedify";

// --- Shims (module imports are evaluated first, but Fedify calls neither
// shimmed function before this code has run) ---

// ArrayBuffer.prototype.transfer (ES2024) encodes Multikey keys; without it
// serving the actor answers 500 "t.buffer.transfer is not a function".
if (typeof ArrayBuffer.prototype.transfer !== "function") {
  Object.defineProperty(ArrayBuffer.prototype, "transfer", {
    configurable: true,
    writable: true,
    value: function transfer(length) {
      const n = length === undefined ? this.byteLength : length;
      const out = new ArrayBuffer(n);
      new Uint8Array(out).set(new Uint8Array(this, 0, Math.min(n, this.byteLength)));
      return out;
    },
  });
}

// Loopback only, http only.
function isLoopbackHost(hostname) {
  const m = /^127\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(hostname);
  return m !== null && m.slice(1).every((x) => Number(x) <= 255);
}
const realFetch = globalThis.fetch;
globalThis.fetch = async function loopbackFetch(input, init) {
  const url = new URL(input instanceof Request ? input.url : String(input));
  if (!isLoopbackHost(url.hostname)) {
    throw new TypeError(`fedify peer: refusing to fetch ${url.href}: only 127.0.0.0/8 is allowed`);
  }
  if (url.protocol === "https:") {
    url.protocol = "http:";
    if (input instanceof Request) return realFetch(new Request(url, input), init);
    return realFetch(url, init);
  }
  return realFetch(input, init);
};

// --- Fedify ---

const IDENTIFIER = "peer";

function parseArgs(argv) {
  let port = 0;
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === "--port" && i + 1 < argv.length) port = Number(argv[++i]);
    else if (argv[i].startsWith("--port=")) port = Number(argv[i].slice(7));
    else throw new Error(`unknown argument ${argv[i]}; usage: node peer.mjs --port N`);
  }
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`bad --port ${port}`);
  return { port };
}

// What the test reads back.
const received = []; // activities that reached an inbox listener
const inboxErrors = []; // errors thrown while handling an inbox activity
const requests = []; // every request the peer answered
const logs = []; // Fedify log records, level warning and above
const bodies = new Map(); // activity id → the JSON body it arrived in (the last one)
const MAX_RECORDS = 1000;
function keep(list, item) {
  if (list.length < MAX_RECORDS) list.push(item);
}

function renderMessage(record) {
  return record.message.map((part) => (typeof part === "string" ? part : JSON.stringify(part))).join("");
}

await configure({
  contextLocalStorage: new AsyncLocalStorage(),
  sinks: {
    stderr(record) {
      process.stderr.write(`${new Date(record.timestamp).toISOString()} ${record.level} ${record.category.join("·")}: ${renderMessage(record)}\n`);
    },
    memory(record) {
      if (record.level === "warning" || record.level === "error" || record.level === "fatal") {
        keep(logs, { level: record.level, category: record.category.join("·"), message: renderMessage(record) });
      }
    },
  },
  loggers: [
    { category: "fedify", sinks: ["stderr", "memory"], lowestLevel: "info" },
    { category: ["logtape", "meta"], sinks: ["stderr"], lowestLevel: "warning" },
  ],
});

const { port } = parseArgs(process.argv.slice(2));

// The key pairs, generated at start, as a Fedify server has them: RSA
// (publicKey; signs HTTP requests and LD signatures) and Ed25519
// (assertionMethod; signs object integrity proofs, FEP-8b32).
const rsa = await generateCryptoKeyPair("RSASSA-PKCS1-v1_5");
const ed25519 = await generateCryptoKeyPair("Ed25519");
const keyPairs = [rsa, ed25519].map((k) => ({ privateKey: k.privateKey, publicKey: k.publicKey }));

// The server: its port is known only after listen, and the federation's
// origin needs it.
let federation = null;
let origin = "";

const server = createServer((req, res) => {
  handle(req, res).catch((err) => {
    process.stderr.write(`fedify peer: ${req.method} ${req.url}: ${err?.stack ?? err}\n`);
    if (!res.headersSent) res.writeHead(500, { "content-type": "text/plain" });
    res.end(String(err));
  });
});
await new Promise((resolve, reject) => {
  server.once("error", reject);
  server.listen(port, "127.0.0.1", resolve);
});
origin = `http://127.0.0.1:${server.address().port}`;

federation = createFederation({
  kv: new MemoryKvStore(),
  origin,
  allowPrivateAddress: true,
  // No queue: sendActivity delivers before it returns and throws when a
  // delivery fails, so the control API can report the failure.
});

federation
  .setActorDispatcher("/users/{identifier}", async (ctx, identifier) => {
    if (identifier !== IDENTIFIER) return null;
    const keys = await ctx.getActorKeyPairs(identifier);
    return new Person({
      id: ctx.getActorUri(identifier),
      preferredUsername: identifier,
      name: "Fedify peer",
      summary: "An independent ActivityPub implementation for Convene's interop test.",
      url: ctx.getActorUri(identifier),
      inbox: ctx.getInboxUri(identifier),
      endpoints: new Endpoints({ sharedInbox: ctx.getInboxUri() }),
      followers: ctx.getFollowersUri(identifier),
      publicKey: keys[0].cryptographicKey,
      assertionMethods: keys.map((k) => k.multikey),
      manuallyApprovesFollowers: false,
      discoverable: true,
    });
  })
  .setKeyPairsDispatcher(async (_ctx, identifier) => (identifier === IDENTIFIER ? keyPairs : []))
  .mapHandle(async (_ctx, username) => (username === IDENTIFIER ? IDENTIFIER : null))
  // Only signed GETs whose signature Fedify verified get the actor.
  .authorize(async (ctx, _identifier) => {
    const key = await ctx.getSignedKey();
    const owner = key === null ? null : await ctx.getSignedKeyOwner();
    return key !== null && owner !== null;
  });

federation.setFollowersDispatcher("/users/{identifier}/followers", async (_ctx, identifier) => {
  if (identifier !== IDENTIFIER) return null;
  return { items: [] };
});

federation
  .setInboxListeners("/users/{identifier}/inbox", "/inbox")
  // What Fedify 2 does by default: a duplicate is an activity id seen
  // before at the same inbox.
  .withIdempotency("per-inbox")
  // Activity catches every type: Fedify calls the listener of the nearest
  // registered superclass. A listener runs only for a request whose
  // signature (HTTP, LD or object proof) Fedify verified and whose signer
  // owns the activity's actor.
  .on(Activity, async (ctx, activity) => {
    const entry = {
      verified: true,
      type: activity.constructor.typeId?.href ?? activity.constructor.name,
      typeName: activity.constructor.name,
      id: activity.id?.href ?? null,
      actor: activity.actorId?.href ?? null,
      object: activity.objectId?.href ?? null,
      recipient: ctx.recipient ?? null,
      receivedAt: new Date().toISOString(),
    };
    // The embedded object, as Fedify parsed it. An object given by IRI
    // only is not fetched.
    const raw = entry.id === null ? undefined : bodies.get(entry.id);
    entry.raw = raw ?? null;
    try {
      const embedded = raw !== undefined && raw.object !== null && typeof raw.object === "object";
      const object = embedded ? await activity.getObject({ suppressError: true }) : null;
      if (object != null) {
        entry.objectType = object.constructor.name;
        entry.object = entry.object ?? object.id?.href ?? null;
        if (typeof object.name?.toString === "function" && object.name !== null) entry.objectName = object.name.toString();
        if (object.objectId !== undefined) entry.objectObject = object.objectId?.href ?? null;
      }
    } catch (err) {
      entry.objectError = String(err);
    }
    keep(received, entry);
  })
  .onError(async (_ctx, error) => {
    keep(inboxErrors, String(error?.stack ?? error));
  });

// The peer's own activities are served at their ids: Fedify refetches an
// embedded object of another origin (our Follow inside Convene's Accept)
// instead of trusting the copy.
const sent = new Map(); // activity id → the Follow or Join
federation.setObjectDispatcher(Follow, "/follows/{id}", (ctx, values) => sent.get(ctx.getObjectUri(Follow, values).href) ?? null);
federation.setObjectDispatcher(Join, "/joins/{id}", (ctx, values) => sent.get(ctx.getObjectUri(Join, values).href) ?? null);

federation.setNodeInfoDispatcher("/nodeinfo/2.1", async () => ({
  software: { name: "convene-fedify-peer", version: { major: 0, minor: 0, patch: 0 } },
  protocols: ["activitypub"],
  usage: { users: { total: 1 }, localPosts: 0, localComments: 0 },
}));

// --- HTTP glue ---

function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    let size = 0;
    req.on("data", (c) => {
      size += c.length;
      if (size > 1 << 20) {
        reject(new Error("request body over 1 MiB"));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

function signatureOf(headers) {
  if (headers["signature-input"]) {
    const m = /keyid="([^"]*)"/.exec(headers["signature-input"]);
    return { spec: "rfc9421", keyId: m ? m[1] : null };
  }
  if (headers.signature) {
    const m = /keyId="([^"]*)"/.exec(headers.signature);
    return { spec: "draft-cavage", keyId: m ? m[1] : null };
  }
  return null;
}

async function handle(req, res) {
  const body = await readBody(req);
  const url = new URL(req.url, origin);
  if (url.pathname.startsWith("/control/")) {
    await control(req, url, body, res);
    return;
  }
  const headers = new Headers();
  for (const [k, v] of Object.entries(req.headers)) {
    if (Array.isArray(v)) for (const x of v) headers.append(k, x);
    else if (v !== undefined) headers.set(k, v);
  }
  if (req.method === "POST" && body.length > 0) {
    try {
      const doc = JSON.parse(body.toString("utf8"));
      if (typeof doc?.id === "string" && bodies.size < MAX_RECORDS) bodies.set(doc.id, doc);
    } catch {
      // Fedify answers bad JSON itself.
    }
  }
  const request = new Request(url, {
    method: req.method,
    headers,
    body: req.method === "GET" || req.method === "HEAD" ? undefined : body,
  });
  const response = await federation.fetch(request, {
    contextData: undefined,
    onNotFound: () => new Response("Not Found", { status: 404, headers: { "content-type": "text/plain" } }),
    onNotAcceptable: () => new Response("Not Acceptable", { status: 406, headers: { "content-type": "text/plain" } }),
    onUnauthorized: () => new Response("Unauthorized: sign the request", { status: 401, headers: { "content-type": "text/plain" } }),
  });
  const out = Buffer.from(await response.arrayBuffer());
  keep(requests, {
    method: req.method,
    path: url.pathname + url.search,
    accept: req.headers.accept ?? null,
    signature: signatureOf(req.headers),
    status: response.status,
    response: response.status >= 400 ? out.toString("utf8").slice(0, 500) : undefined,
  });
  const outHeaders = {};
  response.headers.forEach((v, k) => {
    outHeaders[k] = v;
  });
  res.writeHead(response.status, outHeaders);
  res.end(out);
}

function reply(res, status, value) {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify(value));
}

function failure(res, err) {
  reply(res, 502, { ok: false, error: String(err?.stack ?? err) });
}

function parseJSON(body) {
  try {
    return JSON.parse(body.toString("utf8"));
  } catch (err) {
    throw new Error(`control: bad JSON body: ${err.message}`);
  }
}

function iri(value, name) {
  if (typeof value !== "string" || value === "") throw new Error(`control: "${name}" is required`);
  const u = new URL(value);
  if (u.protocol !== "http:" && u.protocol !== "https:") throw new Error(`control: "${name}" must be http(s)`);
  return u;
}

// lookupActor dereferences an actor with a signed GET.
async function lookupActor(ctx, actorIRI) {
  const documentLoader = await ctx.getDocumentLoader({ identifier: IDENTIFIER });
  const actor = await ctx.lookupObject(actorIRI.href, { documentLoader });
  if (actor === null) throw new Error(`could not dereference ${actorIRI.href} (see the peer's log)`);
  if (!isActor(actor)) throw new Error(`${actorIRI.href} is a ${actor.constructor.name}, not an actor`);
  if (actor.inboxId === null) throw new Error(`${actorIRI.href} has no inbox`);
  return actor;
}

async function control(req, url, body, res) {
  const ctx = federation.createContext(new URL(origin), undefined);
  const me = ctx.getActorUri(IDENTIFIER);
  try {
    switch (`${req.method} ${url.pathname}`) {
      case "GET /control/inbox":
        return reply(res, 200, { ok: true, activities: received, errors: inboxErrors });
      case "GET /control/requests":
        return reply(res, 200, { ok: true, requests });
      case "GET /control/logs":
        return reply(res, 200, { ok: true, logs });
      case "POST /control/follow": {
        const target = iri(parseJSON(body).actor, "actor");
        const actor = await lookupActor(ctx, target);
        const follow = new Follow({
          id: ctx.getObjectUri(Follow, { id: randomUUID() }),
          actor: me,
          object: actor.id,
          to: actor.id,
        });
        sent.set(follow.id.href, follow);
        await ctx.sendActivity({ identifier: IDENTIFIER }, actor, follow);
        return reply(res, 200, { ok: true, id: follow.id.href, inbox: actor.inboxId.href });
      }
      case "POST /control/join": {
        const input = parseJSON(body);
        const event = iri(input.event, "event");
        const organizer = await lookupActor(ctx, iri(input.organizer, "organizer"));
        const join = new Join({
          id: ctx.getObjectUri(Join, { id: randomUUID() }),
          actor: me,
          object: event,
          to: organizer.id,
          cc: PUBLIC_COLLECTION,
        });
        sent.set(join.id.href, join);
        await ctx.sendActivity({ identifier: IDENTIFIER }, organizer, join);
        return reply(res, 200, { ok: true, id: join.id.href, inbox: organizer.inboxId.href });
      }
      case "POST /control/fetch": {
        const target = iri(parseJSON(body).url, "url");
        const documentLoader = await ctx.getDocumentLoader({ identifier: IDENTIFIER });
        const doc = await documentLoader(target.href);
        return reply(res, 200, { ok: true, documentUrl: doc.documentUrl, document: doc.document });
      }
      default:
        return reply(res, 404, { ok: false, error: `no control route ${req.method} ${url.pathname}` });
    }
  } catch (err) {
    return failure(res, err);
  }
}

process.stdout.write(JSON.stringify({ origin, actor: new URL(`/users/${IDENTIFIER}`, origin).href }) + "\n");

for (const signal of ["SIGINT", "SIGTERM"]) {
  process.on(signal, () => {
    server.close();
    process.exit(0);
  });
}
