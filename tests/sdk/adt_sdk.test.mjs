// The official Azure Digital Twins SDK (@azure/digital-twins-core 1.1.0, unchanged)
// against a real `dtwin serve` over HTTPS: what an application written for Azure sees.
// Started by ./run (which makes the certificate and sets NODE_EXTRA_CA_CERTS).
import { DigitalTwinsClient } from "@azure/digital-twins-core";
import { execFileSync, spawn } from "node:child_process";
import { mkdirSync, readFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";

const dtwin = process.env.DTWIN_BIN;
const work = process.env.DTWIN_SDK_WORK;
const source = process.env.DTWIN_SOURCE_DIR ?? join(import.meta.dirname, "..", "..");
const example = join(source, "examples", "door-and-two-rooms");
const ROOM = "dtmi:dtwin:example:Room;1";
const DOOR = "dtmi:dtwin:example:Door;1";

const freePort = () =>
  new Promise((resolve) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });

let server;
let client; // with a write token
let reader; // with a read token
let stranger; // with a token the server does not know
const data = join(work, "data");

const cli = (...args) => execFileSync(dtwin, ["--data", data, ...args], { encoding: "utf8" });

// The SDK's error for a call that must fail.
async function failure(promise) {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  assert.fail("the call succeeded");
}

before(async () => {
  mkdirSync(data, { recursive: true });
  cli("model", "import", join(example, "models"));
  cli("import", join(example, "twins.json"));
  const port = await freePort();
  const log = join(work, "serve.log");
  server = spawn(
    "/bin/sh",
    ["-c", `exec "$0" "$@" >"${log}" 2>&1`, dtwin, "--data", data,
     "--set", `mqtt.url=mqtt://127.0.0.1:${await freePort()}`,
     "--set", `api.listen=127.0.0.1:${port}`,
     "--set", `api.tls_cert=${join(work, "cert.pem")}`, "--set", `api.tls_key=${join(work, "key.pem")}`,
     "--set", `api.token_file=${join(work, "tokens")}`,
     "serve"],
    { stdio: "ignore" });
  const deadline = Date.now() + 30_000;
  for (;;) {
    let text = "";
    try { text = readFileSync(log, "utf8"); } catch {}
    if (text.includes(`API listening on https://127.0.0.1:${port}`)) break;
    if (Date.now() > deadline || server.exitCode !== null) throw new Error("dtwin serve did not start:\n" + text);
    await new Promise((r) => setTimeout(r, 50));
  }
  const credential = (token) => ({ getToken: async () => ({ token, expiresOnTimestamp: Date.now() + 3600e3 }) });
  const endpoint = `https://127.0.0.1:${port}`;
  const options = { retryOptions: { maxRetries: 0 } };
  client = new DigitalTwinsClient(endpoint, credential(process.env.DTWIN_SDK_TOKEN), options);
  reader = new DigitalTwinsClient(endpoint, credential(process.env.DTWIN_SDK_READ_TOKEN), options);
  stranger = new DigitalTwinsClient(endpoint, credential("not-a-token-of-this-server"), options);
});

after(async () => {
  if (server && server.exitCode === null) {
    const exited = new Promise((r) => server.once("exit", r));
    server.kill("SIGTERM");
    await exited;
  }
});

describe("tokens", () => {
  test("a read token reads but cannot write; an unknown token is 401", async () => {
    assert.equal((await reader.getDigitalTwin("Door")).body.$dtId, "Door");
    const refused = await failure(reader.updateDigitalTwin("Door", [{ op: "add", path: "/angle", value: 3 }]));
    assert.equal(refused.statusCode, 403);
    assert.equal(refused.code, "Forbidden");
    const unknown = await failure(stranger.getDigitalTwin("Door"));
    assert.equal(unknown.statusCode, 401);
  });
});

describe("twins", () => {
  test("getDigitalTwin returns the twin and its etag", async () => {
    const { body, etag } = await client.getDigitalTwin("Room1");
    assert.equal(body.$dtId, "Room1");
    assert.equal(body.$metadata.$model, ROOM);
    assert.equal(etag, body.$etag);
  });

  test("an unknown twin is a RestError 404 DigitalTwinNotFound", async () => {
    const error = await failure(client.getDigitalTwin("nope"));
    assert.equal(error.statusCode, 404);
    assert.equal(error.code, "DigitalTwinNotFound");
    assert.match(error.message, /nope/);
  });

  test("upsert, If-None-Match, update with If-Match, stale etag, bad patch, delete", async () => {
    const created = await client.upsertDigitalTwin("Lab", JSON.stringify({ $metadata: { $model: ROOM }, co2: 420 }));
    assert.equal(created.body.co2, 420);
    assert.equal(created.etag, created.body.$etag);
    const again = await failure(
      client.upsertDigitalTwin("Lab", JSON.stringify({ $metadata: { $model: ROOM } }), { ifNoneMatch: "*" }));
    assert.equal(again.statusCode, 412);
    assert.equal(again.code, "PreconditionFailed");

    const updated = await client.updateDigitalTwin("Lab", [{ op: "replace", path: "/co2", value: 515 }],
                                                   { ifMatch: created.etag });
    assert.notEqual(updated.etag, created.etag);
    assert.equal((await client.getDigitalTwin("Lab")).body.co2, 515);
    // The answer came after the commit: the store (read by another process) has it.
    assert.equal(JSON.parse(cli("twin", "get", "Lab", "--json")).co2, 515);

    const stale = await failure(client.updateDigitalTwin("Lab", [{ op: "replace", path: "/co2", value: 1 }],
                                                         { ifMatch: created.etag }));
    assert.equal(stale.statusCode, 412);
    assert.equal(stale.code, "PreconditionFailed");
    const bad = await failure(client.updateDigitalTwin("Lab", [{ op: "replace", path: "/nothing", value: 1 }]));
    assert.equal(bad.statusCode, 400);
    assert.equal(bad.code, "JsonPatchInvalid");
    const wrongType = await failure(client.updateDigitalTwin("Lab", [{ op: "replace", path: "/co2", value: "x" }]));
    assert.equal(wrongType.code, "ValidationFailed");

    await client.deleteDigitalTwin("Lab");
    assert.equal((await failure(client.getDigitalTwin("Lab"))).statusCode, 404);
  });
});

describe("relationships", () => {
  test("upsert, get, list by name, incoming in camelCase, delete", async () => {
    await client.upsertDigitalTwin("Hall", JSON.stringify({ $metadata: { $model: ROOM } }));
    await client.upsertDigitalTwin("Door2", JSON.stringify({ $metadata: { $model: DOOR } }));
    const missing = await failure(client.upsertRelationship("Door2", "r1",
      { $relationshipName: "connects", $targetId: "Nowhere" }));
    assert.equal(missing.code, "TargetDigitalTwinNotFound");
    const stored = await client.upsertRelationship("Door2", "r1", { $relationshipName: "connects", $targetId: "Hall" });
    assert.equal(stored.body.$sourceId, "Door2");
    const one = await client.getRelationship("Door2", "r1");
    assert.equal(one.body.$targetId, "Hall");
    assert.equal(one.etag, one.body.$etag);

    const named = [];
    for await (const relationship of client.listRelationships("Door2", "connects")) named.push(relationship);
    assert.deepEqual(named.map((r) => r.$relationshipId), ["r1"]);
    const incoming = [];
    for await (const relationship of client.listIncomingRelationships("Hall")) incoming.push(relationship);
    assert.equal(incoming.length, 1);
    assert.equal(incoming[0].sourceId, "Door2");
    assert.equal(incoming[0].relationshipName, "connects");

    const updated = await client.updateRelationship("Door2", "r1", [], { ifMatch: one.etag });
    assert.ok(updated.etag);
    const stale = await failure(client.updateRelationship("Door2", "r1", [], { ifMatch: 'W/"1"' }));
    assert.equal(stale.statusCode, 412);
    assert.equal(stale.code, "PreconditionFailed");

    const refused = await failure(client.deleteDigitalTwin("Hall"));
    assert.equal(refused.code, "RelationshipsNotDeleted");
    await client.deleteRelationship("Door2", "r1");
    assert.equal((await failure(client.getRelationship("Door2", "r1"))).code, "RelationshipNotFound");
    await client.deleteDigitalTwin("Hall");
  });
});

describe("query", () => {
  test("queryTwins with a filter, projections and COUNT", async () => {
    const rooms = [];
    for await (const twin of client.queryTwins(`SELECT * FROM DIGITALTWINS WHERE IS_OF_MODEL('${ROOM}')`)) {
      rooms.push(twin.$dtId);
    }
    assert.deepEqual(rooms.sort(), ["Room1", "Room2"]);
    const projected = [];
    for await (const row of client.queryTwins("SELECT T.$dtId AS id FROM DIGITALTWINS T WHERE T.$dtId = 'Door'")) {
      projected.push(row);
    }
    assert.deepEqual(projected, [{ id: "Door" }]);
    const counted = [];
    for await (const row of client.queryTwins("SELECT COUNT() FROM RELATIONSHIPS WHERE $sourceId = 'Door'")) {
      counted.push(row);
    }
    assert.deepEqual(counted, [{ COUNT: 2 }]);
  });

  test("a write is in the very next query, and paging covers more than one page", async () => {
    for (let i = 0; i < 25; i++) {
      await client.upsertDigitalTwin(`Cell${i}`, JSON.stringify({ $metadata: { $model: ROOM }, co2: 400 + i }));
    }
    const seen = new Set();
    let pages = 0;
    for await (const page of client.queryTwins("SELECT * FROM DIGITALTWINS WHERE STARTSWITH($dtId, 'Cell')", 10)
      .byPage()) {
      pages++;
      assert.ok(page.value.length <= 10);
      assert.ok(Number(page.queryCharge) > 0);
      for (const twin of page.value) {
        assert.ok(!seen.has(twin.$dtId), `${twin.$dtId} twice`);
        seen.add(twin.$dtId);
      }
    }
    assert.equal(seen.size, 25);
    assert.equal(pages, 3);
  });

  test("a bad query is SqlQueryError with its line and column", async () => {
    const error = await failure((async () => {
      for await (const _ of client.queryTwins("SELECT * FROM DIGITALTWINS WHERE co2 >")) { /* none */ }
    })());
    assert.equal(error.statusCode, 400);
    assert.equal(error.code, "SqlQueryError");
    assert.match(error.message, /1:39/);
  });
});

describe("models", () => {
  test("getModel with the definition, listModels", async () => {
    const model = await client.getModel(ROOM, true);
    assert.equal(model.id, ROOM);
    assert.equal(model.model["@id"], ROOM);
    assert.ok(model.uploadTime instanceof Date);
    const ids = [];
    for await (const item of client.listModels()) ids.push(item.id);
    assert.deepEqual(ids.sort(), [DOOR, ROOM].sort());
    const unknown = await failure(client.getModel("dtmi:x:Nope;1"));
    assert.equal(unknown.code, "ModelNotFound");
    // dependenciesFor: the Door's relationship targets the Room; the Room needs nothing.
    const forDoor = [];
    for await (const item of client.listModels([DOOR])) forDoor.push(item.id);
    assert.deepEqual(forDoor.sort(), [DOOR, ROOM].sort());
    const forRoom = [];
    for await (const item of client.listModels([ROOM])) forRoom.push(item.id);
    assert.deepEqual(forRoom, [ROOM]);
    const missing = await failure((async () => {
      for await (const _ of client.listModels(["dtmi:x:Nope;1"])) { /* none */ }
    })());
    assert.equal(missing.code, "ModelNotFound");
  });

  test("createModels all or nothing, DTDL errors, decommission, delete", async () => {
    const base = { "@context": "dtmi:dtdl:context;3", "@id": "dtmi:x:Sensor;1", "@type": "Interface",
                   displayName: "Sensor", contents: [{ "@type": "Property", name: "level", schema: "double" }] };
    const derived = { "@context": "dtmi:dtdl:context;3", "@id": "dtmi:x:Probe;1", "@type": "Interface",
                      extends: "dtmi:x:Sensor;1" };
    const broken = { "@context": "dtmi:dtdl:context;3", "@id": "dtmi:x:Broken;1", "@type": "Interface",
                     contents: [{ "@type": "Property", name: "1bad", schema: "double" }] };
    const rejected = await failure(client.createModels([base, broken]));
    assert.equal(rejected.statusCode, 400);
    assert.equal(rejected.code, "DTDLParserError");
    assert.match(rejected.message, /\/1 \/contents\/0\/name/);
    assert.equal((await failure(client.getModel("dtmi:x:Sensor;1"))).code, "ModelNotFound"); // nothing stored

    const created = await client.createModels([base, derived]);
    assert.deepEqual(created.map((m) => m.id).sort(), ["dtmi:x:Probe;1", "dtmi:x:Sensor;1"]);
    assert.deepEqual(created.find((m) => m.id === "dtmi:x:Sensor;1").displayName, { en: "Sensor" });
    const twice = await failure(client.createModels([base]));
    assert.equal(twice.statusCode, 409);
    assert.equal(twice.code, "ModelIdAlreadyExists");

    await client.upsertDigitalTwin("probe-1", JSON.stringify({ $metadata: { $model: "dtmi:x:Probe;1" }, level: 2 }));
    await client.decomissionModel("dtmi:x:Probe;1");
    assert.equal((await client.getModel("dtmi:x:Probe;1")).decommissioned, true);
    const refused = await failure(client.upsertDigitalTwin("probe-2",
      JSON.stringify({ $metadata: { $model: "dtmi:x:Probe;1" } })));
    assert.equal(refused.code, "ModelDecommissioned");
    assert.equal((await client.getDigitalTwin("probe-1")).body.level, 2); // existing twins stay

    const referenced = await failure(client.deleteModel("dtmi:x:Sensor;1"));
    assert.equal(referenced.statusCode, 409);
    assert.equal(referenced.code, "ModelReferencesNotDeleted");
    await client.deleteDigitalTwin("probe-1");
    await client.deleteModel("dtmi:x:Probe;1");
    await client.deleteModel("dtmi:x:Sensor;1");
    assert.equal((await failure(client.getModel("dtmi:x:Sensor;1"))).code, "ModelNotFound");
    // Stored: a separate process reading the store sees the models gone.
    assert.ok(!cli("model", "list").includes("dtmi:x:Sensor;1"));
  });
});

describe("paging of lists", () => {
  test("listModels and listRelationships follow nextLink over more than one page", async () => {
    const hub = { "@context": "dtmi:dtdl:context;3", "@id": "dtmi:x:Hub;1", "@type": "Interface",
                  contents: [{ "@type": "Relationship", name: "links" }] };
    const leaves = Array.from({ length: 110 }, (_, i) => (
      { "@context": "dtmi:dtdl:context;3", "@id": `dtmi:x:Leaf${i};1`, "@type": "Interface" }));
    await client.createModels([hub, ...leaves]);
    const ids = [];
    for await (const model of client.listModels()) ids.push(model.id);
    assert.equal(ids.length, 2 + 111);
    assert.equal(new Set(ids).size, ids.length);
    let modelPages = 0;
    for await (const page of client.listModels(undefined, false).byPage({ maxPageSize: 50 })) {
      assert.ok(page.value.length <= 50);
      modelPages++;
    }
    assert.equal(modelPages, 3);

    await client.upsertDigitalTwin("hub", JSON.stringify({ $metadata: { $model: "dtmi:x:Hub;1" } }));
    for (let i = 0; i < 130; i++) {
      await client.upsertDigitalTwin(`leaf${i}`, JSON.stringify({ $metadata: { $model: "dtmi:x:Leaf0;1" } }));
      await client.upsertRelationship("hub", `l${i}`, { $relationshipName: "links", $targetId: `leaf${i}` });
    }
    const targets = [];
    for await (const relationship of client.listRelationships("hub", "links")) targets.push(relationship.$targetId);
    assert.equal(targets.length, 130);
    assert.equal(new Set(targets).size, 130);
  });
});
