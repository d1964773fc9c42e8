"""The dtwin command line against a real data directory: the conventions (exit codes,
--json, --help, --config/--set), models, twins, relationships and bad input."""

import json
import os
import sqlite3
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from dtwin_test_support import DtwinTestCase, EXAMPLE_DIR, SHARED_DIR  # noqa: E402

ROOM = "dtmi:dtwin:example:Room;1"
DOOR = "dtmi:dtwin:example:Door;1"


class Conventions(DtwinTestCase):
    def test_every_subcommand_has_help(self):
        for args in (["--help"], ["model", "--help"], ["model", "validate", "--help"], ["model", "import", "--help"],
                     ["twin", "--help"], ["twin", "get", "--help"], ["twin", "patch", "--help"],
                     ["relationship", "create", "--help"], ["import", "--help"], ["config", "show", "--help"]):
            result = self.dtwin(*args, data=False)
            self.assertEqual(result.code, 0, result)
            self.assertIn("Usage", result.out)

    def test_usage_errors_exit_2(self):
        self.assertEqual(self.dtwin("no-such-command").code, 2)
        self.assertEqual(self.dtwin("twin", "get").code, 2)  # missing id
        self.assertEqual(self.dtwin("twin", "get", "x", "--no-such-flag").code, 2)

    def test_set_overrides_and_unknown_keys(self):
        result = self.ok("config", "show", "--json", "--set", "store.durability=power")
        self.assertEqual(result.json()["store.durability"], "power")
        self.assertEqual(result.json()["data.dir"], self.data)
        bad = self.dtwin("config", "show", "--set", "store.durablity=power")
        self.assertEqual(bad.code, 1)
        self.assertIn("store.durablity", bad.err)
        bad = self.dtwin("config", "show", "--set", "store.durability=sometimes")
        self.assertEqual(bad.code, 1)
        self.assertIn("process, power", bad.err)

    def test_config_file_unknown_key_names_line(self):
        path = self.write("bad.toml", '[store]\ndurability = "power"\n\n[log]\nlevl = "debug"\n')
        result = self.dtwin("config", "show", "--config", path)
        self.assertEqual(result.code, 1)
        self.assertIn(f"{path}:5", result.err)
        self.assertIn("log.levl", result.err)
        good = self.write("good.toml", '[store]\ndurability = "power"\n')
        self.assertEqual(self.ok("config", "show", "--json", "--config", good).json()["store.durability"], "power")


    def test_example_config_lists_its_mappings(self):
        shown = self.ok("config", "show", "--json", "--config", os.path.join(EXAMPLE_DIR, "dtwin.toml")).json()
        self.assertEqual(shown["mapping.room-node.topic"], "rooms/{room}")
        self.assertEqual({shown[f"mapping.combined-{n}.twin"] for n in ("door", "device_1", "device_2")},
                         {"Door", "Room1", "Room2"})


class Models(DtwinTestCase):
    def test_validate_example_models(self):
        result = self.ok("model", "validate", os.path.join(EXAMPLE_DIR, "models"), "--json", data=False)
        self.assertTrue(result.json()["valid"])
        self.assertEqual(sorted(result.json()["interfaces"]), [DOOR, ROOM])

    def test_validate_reports_each_error_with_document_and_pointer(self):
        bad = self.write("bad.json", json.dumps({
            "@context": "dtmi:dtdl:context;3", "@id": "dtmi:x:Bad;1", "@type": "Interface",
            "contents": [{"@type": "Property", "name": "1nope", "schema": "double"},
                         {"@type": "Property", "name": "ok", "schema": "notASchema"}]}))
        result = self.dtwin("model", "validate", bad, "--json", data=False)
        self.assertEqual(result.code, 1, result)
        errors = result.json()["errors"]
        self.assertGreaterEqual(len(errors), 2)
        self.assertTrue(all(e["document"] == bad for e in errors))
        pointers = {e["pointer"] for e in errors}
        self.assertTrue(any(p.startswith("/contents/0") for p in pointers), pointers)
        self.assertTrue(any(p.startswith("/contents/1") for p in pointers), pointers)

    def test_malformed_json_names_file_and_position(self):
        bad = self.write("broken.json", '{"@context": "dtmi:dtdl:context;3",\n "@id": }')
        result = self.dtwin("model", "validate", bad, data=False)
        self.assertEqual(result.code, 1, result)
        self.assertIn("broken.json", result.err)

    def test_import_then_list_and_get(self):
        self.ok("model", "import", os.path.join(EXAMPLE_DIR, "models"))
        listed = self.ok("model", "list", "--json").json()["models"]
        self.assertEqual(sorted(m["id"] for m in listed), [DOOR, ROOM])
        model = self.ok("model", "get", ROOM).json()
        self.assertEqual(model["@id"], ROOM)
        # importing the same model again is refused, nothing changes
        again = self.dtwin("model", "import", os.path.join(EXAMPLE_DIR, "models", "Room.json"))
        self.assertEqual(again.code, 1, again)

    def test_import_resolves_against_stored_models(self):
        self.ok("model", "import", os.path.join(EXAMPLE_DIR, "models", "Room.json"))
        office = self.write("office.json", json.dumps({
            "@context": "dtmi:dtdl:context;3", "@id": "dtmi:x:Office;1", "@type": "Interface",
            "extends": ROOM, "contents": [{"@type": "Property", "name": "desks", "schema": "integer"}]}))
        self.ok("model", "import", office)
        self.ok("twin", "create", "O1", "--model", "dtmi:x:Office;1", "--properties", '{"desks": 4, "co2": 410}')
        listed = self.ok("twin", "list", "--model", ROOM, "--json").json()["value"]
        self.assertEqual([t["$dtId"] for t in listed], ["O1"])


    def test_iot_central_template_imports_and_its_schemas_validate_twins(self):
        template = self.write("tracker.json", json.dumps({
            "@context": ["dtmi:iotcentral:context;2", "dtmi:dtdl:context;2"],
            "@id": "dtmi:x:Tracker;1", "@type": "Interface", "displayName": {"en": "Tracker"},
            "contents": [
                {"@type": ["Property", "Location"], "name": "home", "schema": "geopoint", "writable": True},
                {"@type": ["Telemetry", "AccelerationVector"], "name": "accel", "schema": "vector", "unit": "gForce"},
                {"@type": ["Telemetry", "Event"], "name": "alarm", "schema": "string"}]}))
        self.ok("model", "import", template)
        self.ok("twin", "create", "T1", "--model", "dtmi:x:Tracker;1",
                "--properties", '{"home": {"lon": 8.54, "lat": 47.37, "alt": 408}}')
        self.assertEqual(self.ok("twin", "get", "T1", "--json").json()["home"]["lat"], 47.37)
        wrong = self.dtwin("twin", "create", "T2", "--model", "dtmi:x:Tracker;1",
                           "--properties", '{"home": {"lat": "north"}}')
        self.assertEqual(wrong.code, 1, wrong)
        self.assertIn("home", wrong.err)

    def test_extension_errors_name_document_pointer_and_rule(self):
        bad = self.write("node.json", json.dumps({
            "@context": ["dtmi:dtdl:context;3", "dtmi:dtdl:extension:mqtt;1"],
            "@id": "dtmi:x:Node;1", "@type": ["Interface", "Mqtt"], "payloadFormat": "Json/ecma/404",
            "telemetryTopic": "rooms/{room_id}",
            "contents": [{"@type": ["Telemetry", "Indexed"], "name": "co2", "schema": "double", "index": 1},
                         {"@type": ["Telemetry", "Indexed"], "name": "rh", "schema": "double", "index": 1}]}))
        result = self.dtwin("model", "validate", bad, "--json", data=False)
        self.assertEqual(result.code, 1, result)
        found = {(e["pointer"], e["rule"]) for e in result.json()["errors"]}
        self.assertIn(("/telemetryTopic", "value-pattern"), found)
        self.assertIn(("/contents/1/index", "index-duplicate"), found)


class RealEstateCore(DtwinTestCase):
    @staticmethod
    def component_names(folder, model_id):
        interfaces = {}
        for directory, _, files in os.walk(folder):
            for name in files:
                if name.endswith(".json"):
                    with open(os.path.join(directory, name), encoding="utf-8-sig") as f:
                        document = json.load(f)
                    for interface in document if isinstance(document, list) else [document]:
                        interfaces[interface["@id"]] = interface
        names, pending = set(), [model_id]
        while pending:
            interface = interfaces[pending.pop()]
            contents = interface.get("contents", [])
            for content in contents if isinstance(contents, list) else [contents]:
                types = content.get("@type")
                if types == "Component" or (isinstance(types, list) and "Component" in types):
                    names.add(content["name"])
            extends = interface.get("extends", [])
            pending += extends if isinstance(extends, list) else [extends]
        return names

    def test_import_the_whole_ontology_and_create_a_twin(self):
        models = os.path.join(SHARED_DIR, "models", "realestatecore")
        if not os.path.isdir(models):
            self.skipTest(f"{models} is absent (the shared RealEstateCore models come with the project's workspace)")
        result = self.ok("model", "import", models, "--json")
        self.assertEqual(len(result.json()["interfaces"]), 767)
        self.assertEqual(len(self.ok("model", "list", "--json").json()["models"]), 767)
        room = "dtmi:digitaltwins:rec_3_3:core:Room;1"
        # As in Azure Digital Twins, every component (own or inherited) must be present.
        components = {name: {"$metadata": {}} for name in self.component_names(models, room)}
        self.assertTrue(components)
        self.ok("twin", "create", "R1", "--model", room, "--properties", json.dumps(components))
        self.assertEqual(self.ok("twin", "get", "R1", "--json").json()["$metadata"]["$model"], room)
        # Room extends Space: listing by the base model finds it
        listed = self.ok("twin", "list", "--model", "dtmi:digitaltwins:rec_3_3:core:Space;1", "--json").json()
        self.assertEqual([t["$dtId"] for t in listed["value"]], ["R1"])


class Twins(DtwinTestCase):
    def setUp(self):
        super().setUp()
        self.load_example()

    def test_get_returns_the_azure_digital_twins_shape(self):
        twin = self.ok("twin", "get", "Room1", "--json").json()
        self.assertEqual(twin["$dtId"], "Room1")
        self.assertTrue(twin["$etag"].startswith('W/"'))
        self.assertEqual(twin["$metadata"]["$model"], ROOM)
        self.assertIn("lastUpdateTime", twin["$metadata"]["occupancy"])
        self.assertEqual(twin["occupancy"], "not_occupied")

    def test_patch_with_source_time_and_stale_update(self):
        self.ok("twin", "patch", "Room1", '[{"op": "add", "path": "/co2", "value": 612}]',
                "--source-time", "2026-11-24T10:00:05Z")
        twin = self.ok("twin", "get", "Room1", "--json").json()
        self.assertEqual(twin["co2"], 612)
        self.assertTrue(twin["$metadata"]["co2"]["sourceTime"].startswith("2026-11-24T10:00:05"))
        # an older sample arrives late: the current value stays, the caller is told
        late = self.ok("twin", "patch", "Room1", '[{"op": "replace", "path": "/co2", "value": 580}]',
                       "--source-time", "2026-11-24T10:00:00Z")
        self.assertIn("stale", late.err)
        self.assertEqual(self.ok("twin", "get", "Room1", "--json").json()["co2"], 612)

    def test_if_match(self):
        etag = self.ok("twin", "get", "Room1", "--json").json()["$etag"]
        patched = self.ok("twin", "patch", "Room1", '[{"op": "add", "path": "/temperature", "value": 21.5}]',
                          "--if-match", etag, "--json").json()
        self.assertNotEqual(patched["$etag"], etag)
        stale = self.dtwin("twin", "patch", "Room1", '[{"op": "add", "path": "/temperature", "value": 22}]',
                           "--if-match", etag)
        self.assertEqual(stale.code, 1, stale)
        self.assertIn(etag, stale.err)
        self.assertEqual(self.ok("twin", "get", "Room1", "--json").json()["temperature"], 21.5)

    def test_bad_values_are_rejected_with_twin_and_pointer(self):
        for patch, fragment in (('[{"op": "add", "path": "/co2", "value": "lots"}]', "/co2"),
                                ('[{"op": "add", "path": "/occupancy", "value": "maybe"}]', "/occupancy"),
                                ('[{"op": "add", "path": "/nope", "value": 1}]', "/nope"),
                                ('[{"op": "remove", "path": "/missing"}]', "/missing"),
                                ('[{"op": "jump", "path": "/co2"}]', "jump"),
                                ('[{"op": "add", "path": "/co2", "value": 1', "patch")):
            result = self.dtwin("twin", "patch", "Room1", patch, "--json")
            self.assertEqual(result.code, 1, result)
            error = result.json()["error"]
            self.assertIn(fragment, error["message"] + " " + error.get("where", ""), result)
        self.assertNotIn("co2", self.ok("twin", "get", "Room1", "--json").json())

    def test_create_get_delete_and_unknown_ids(self):
        self.ok("twin", "create", "Room3", "--model", ROOM, "--properties", '{"temperature": 19.0}')
        self.assertEqual(self.ok("twin", "get", "Room3", "--json").json()["temperature"], 19.0)
        self.assertEqual(self.dtwin("twin", "create", "Room3", "--model", ROOM).code, 1)
        unknown_model = self.dtwin("twin", "create", "X", "--model", "dtmi:x:Nope;1")
        self.assertEqual(unknown_model.code, 1)
        self.assertIn("dtmi:x:Nope;1", unknown_model.err)
        self.ok("twin", "delete", "Room3")
        missing = self.dtwin("twin", "get", "Room3")
        self.assertEqual(missing.code, 1)
        self.assertIn("Room3", missing.err)
        ids = [t["$dtId"] for t in self.ok("twin", "list", "--json").json()["value"]]
        self.assertEqual(ids, ["Door", "Room1", "Room2"])

    def test_delete_refused_while_relationships_exist(self):
        result = self.dtwin("twin", "delete", "Room1")
        self.assertEqual(result.code, 1, result)
        self.assertIn("relationship", result.err)
        self.ok("relationship", "delete", "Door", "Door-connects-Room1")
        self.ok("twin", "delete", "Room1")

    def test_etags_never_repeat_after_delete_and_recreate(self):
        self.ok("twin", "create", "T", "--model", ROOM)
        first = self.ok("twin", "get", "T", "--json").json()["$etag"]
        self.ok("twin", "delete", "T")
        self.ok("twin", "create", "T", "--model", ROOM)
        self.assertNotEqual(self.ok("twin", "get", "T", "--json").json()["$etag"], first)


class Relationships(DtwinTestCase):
    def setUp(self):
        super().setUp()
        self.load_example()

    def test_graph_import_is_all_or_nothing(self):
        graph = self.write("graph.json", json.dumps({
            "twins": [{"$dtId": "Room9", "$metadata": {"$model": ROOM}, "co2": 500}],
            "relationships": [{"$relationshipId": "r", "$sourceId": "Door", "$relationshipName": "connects",
                               "$targetId": "Nowhere"}]}))
        result = self.dtwin("import", graph)
        self.assertEqual(result.code, 1, result)
        self.assertIn("/relationships/0", result.err)
        self.assertEqual(self.dtwin("twin", "get", "Room9").code, 1)  # the twin was not kept either

    def test_list_both_directions(self):
        out = self.ok("relationship", "list", "Door", "--json").json()["value"]
        self.assertEqual(sorted(r["$targetId"] for r in out), ["Room1", "Room2"])
        incoming = self.ok("relationship", "list", "Room2", "--incoming", "--json").json()["value"]
        self.assertEqual([(r["$sourceId"], r["$relationshipName"]) for r in incoming], [("Door", "connects")])

    def test_invalid_relationships(self):
        # Room has no relationship named connects; a Door cannot be the target
        self.assertEqual(self.dtwin("relationship", "create", "Room1", "connects", "Room2").code, 1)
        self.ok("twin", "create", "Door2", "--model", DOOR)
        wrong_target = self.dtwin("relationship", "create", "Door2", "connects", "Door")
        self.assertEqual(wrong_target.code, 1, wrong_target)
        self.assertEqual(self.dtwin("relationship", "create", "Door2", "connects", "Nobody").code, 1)
        self.ok("relationship", "create", "Door2", "connects", "Room1")


class BadEnvironment(DtwinTestCase):
    def test_corrupt_database_is_reported_not_crashed(self):
        os.makedirs(self.data)
        with open(os.path.join(self.data, "dtwin.db"), "wb") as f:
            f.write(b"this is not a database" * 100)
        result = self.dtwin("twin", "list")
        self.assertEqual(result.code, 1, result)
        self.assertIn("dtwin.db", result.err)

    def test_foreign_sqlite_database_is_refused(self):
        os.makedirs(self.data)
        db = sqlite3.connect(os.path.join(self.data, "dtwin.db"))
        db.execute("create table other(x)")
        db.commit()
        db.close()
        result = self.dtwin("model", "import", os.path.join(EXAMPLE_DIR, "models"))
        self.assertEqual(result.code, 1, result)
        self.assertIn("dtwin.db", result.err)

    def test_data_directory_that_cannot_be_created(self):
        blocker = self.write("file", "x")
        result = subprocess.run([os.environ.get("DTWIN_BIN", "dtwin"), "model", "import",
                                          os.path.join(EXAMPLE_DIR, "models"), "--data",
                                          os.path.join(blocker, "sub")], capture_output=True, text=True)
        self.assertEqual(result.returncode, 1)
        self.assertIn(os.path.join(blocker, "sub"), result.stderr)

    def test_read_commands_on_missing_data_directory(self):
        result = self.dtwin("twin", "list")
        self.assertEqual(result.code, 1)
        self.assertIn(self.data, result.err)

    def test_reads_work_while_another_connection_writes(self):
        self.load_example()
        writer = sqlite3.connect(os.path.join(self.data, "dtwin.db"), timeout=1)
        writer.execute("begin immediate")  # holds the write lock, as a running server may
        try:
            self.assertEqual(self.ok("twin", "get", "Room1", "--json").json()["$dtId"], "Room1")
        finally:
            writer.rollback()
            writer.close()


class History(DtwinTestCase):
    def setUp(self):
        super().setUp()
        self.load_example()
        # three co2 samples; the second arrives late (older than the first)
        for value, time in ((612, "2026-11-24T10:00:05Z"), (580, "2026-11-24T10:00:00Z"),
                            (700, "2026-11-24T10:01:10Z")):
            self.ok("twin", "patch", "Room1", json.dumps([{"op": "add", "path": "/co2", "value": value}]),
                    "--source-time", time)

    def test_raw_samples_include_the_late_one_in_source_time_order(self):
        history = self.ok("history", "Room1", "co2", "--json").json()
        self.assertEqual((history["twin"], history["property"]), ("Room1", "co2"))
        samples = history["samples"]
        self.assertEqual([s["value"] for s in samples], [580, 612, 700])
        self.assertTrue(samples[0]["time"].startswith("2026-11-24T10:00:00"))
        self.assertTrue(samples[2]["time"].startswith("2026-11-24T10:01:10"))
        self.assertEqual(len({s["sequence"] for s in samples}), 3)
        # the late sample went to history only: the twin kept the newer value
        self.assertEqual(self.ok("twin", "get", "Room1", "--json").json()["co2"], 700)
        # the range is [from, to)
        ranged = self.ok("history", "Room1", "co2", "--from", "2026-11-24T10:00:05Z", "--to",
                         "2026-11-24T10:01:10Z", "--json").json()
        self.assertEqual([s["value"] for s in ranged["samples"]], [612])

    def test_buckets_with_step(self):
        buckets = self.ok("history", "Room1", "co2", "--step", "1m", "--json").json()["buckets"]
        self.assertEqual(len(buckets), 2)
        first, second = buckets
        self.assertTrue(first["start"].startswith("2026-11-24T10:00:00"))
        self.assertEqual((first["count"], first["min"], first["max"], first["mean"], first["last"]),
                         (2, 580, 612, 596, 612))
        self.assertTrue(second["start"].startswith("2026-11-24T10:01:00"))
        self.assertEqual((second["count"], second["mean"], second["last"]), (1, 700, 700))
        # with 10s buckets the six between 10:00:10 and 10:01:10 are empty and left out
        fine = self.ok("history", "Room1", "co2", "--step", "10s", "--json").json()["buckets"]
        self.assertEqual([b["count"] for b in fine], [2, 1])

    def test_bad_step_and_times_exit_1_naming_the_option(self):
        for args, option in ((["--step", "5x"], "--step"), (["--step", "0s"], "--step"),
                             (["--from", "yesterday"], "--from"), (["--to", "2026-13-01T00:00:00Z"], "--to")):
            result = self.dtwin("history", "Room1", "co2", *args)
            self.assertEqual(result.code, 1, result)
            self.assertIn(option, result.err)

    def test_remove_writes_no_history(self):
        self.ok("twin", "patch", "Room1", '[{"op": "remove", "path": "/co2"}]')
        self.assertEqual(len(self.ok("history", "Room1", "co2", "--json").json()["samples"]), 3)


if __name__ == "__main__":
    unittest.main(verbosity=2)
