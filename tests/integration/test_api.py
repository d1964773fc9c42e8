"""The HTTP API of `dtwin serve` from the outside: a real server over HTTPS with a throwaway
certificate, read with Python's own HTTP client, and the bad input a public port meets
(broken targets, oversized bodies and headers, slow clients) answered without harm to
anyone else."""

import http.client
import json
import os
import signal
import socket
import ssl
import subprocess
import sys
import time
import unittest
import urllib.parse

sys.path.insert(0, os.path.dirname(__file__))
from dtwin_test_support import DTWIN, EXAMPLE_DIR, DtwinTestCase  # noqa: E402

DOOR_MODEL = "dtmi:dtwin:example:Door;1"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ApiServer(unittest.TestCase):
    """One dtwin serve (no broker needed: it keeps retrying MQTT) per test class."""

    extra = []
    tokens = None  # text of an api.token_file, if the class wants one

    @classmethod
    def setUpClass(cls):
        cls.case = DtwinTestCase("run")
        cls.case.setUp()
        tmp = cls.case.tmp
        cls.cert = os.path.join(tmp, "cert.pem")
        cls.key = os.path.join(tmp, "key.pem")
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj",
                        "/CN=localhost", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
                        "-keyout", cls.key, "-out", cls.cert], check=True, capture_output=True)
        cls.case.ok("model", "import", os.path.join(EXAMPLE_DIR, "models"))
        cls.case.ok("import", os.path.join(EXAMPLE_DIR, "twins.json"))
        cls.case.ok("twin", "create", "door a/b?c#d;e", "--model", DOOR_MODEL)
        cls.port = free_port()
        extra = list(cls.extra)
        if cls.tokens is not None:
            cls.token_file = os.path.join(tmp, "tokens")
            with open(cls.token_file, "w") as f:
                f.write(cls.tokens)
            extra += ["--set", "api.token_file=" + cls.token_file]
        cls.log = open(os.path.join(tmp, "serve.log"), "w")
        cls.server = subprocess.Popen(
            [DTWIN, "--data", cls.case.data, "--set", "mqtt.url=mqtt://127.0.0.1:%d" % free_port(),
             "--set", "api.listen=127.0.0.1:%d" % cls.port, "--set", "api.tls_cert=" + cls.cert,
             "--set", "api.tls_key=" + cls.key, *extra, "serve"],
            stdout=cls.log, stderr=subprocess.STDOUT)
        deadline = time.time() + 30
        while time.time() < deadline:
            with open(os.path.join(tmp, "serve.log")) as f:
                if "API listening on https://127.0.0.1:%d" % cls.port in f.read():
                    break
            if cls.server.poll() is not None:
                break
            time.sleep(0.05)
        cls.tls = ssl.create_default_context(cafile=cls.cert)

    @classmethod
    def tearDownClass(cls):
        cls.server.send_signal(signal.SIGTERM)
        try:
            cls.server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            cls.server.kill()
            cls.server.wait()
        cls.log.close()
        cls.case.tearDown()

    def setUp(self):
        self.assertIsNone(self.server.poll(), "dtwin serve is not running")

    def request(self, method, target, body=None, headers=None):
        connection = http.client.HTTPSConnection("127.0.0.1", self.port, context=self.tls, timeout=10)
        try:
            connection.request(method, target, body=body, headers=headers or {})
            response = connection.getresponse()
            text = response.read().decode()
            return response.status, dict(response.getheaders()), (json.loads(text) if text else None)
        finally:
            connection.close()


class Reads(ApiServer):
    def test_twin_has_the_azure_shape_and_its_etag_in_the_header(self):
        status, headers, twin = self.request("GET", "/digitaltwins/Door?api-version=2022-05-31")
        self.assertEqual(status, 200)
        self.assertTrue(headers["Content-Type"].startswith("application/json"))
        self.assertEqual(twin["$dtId"], "Door")
        self.assertEqual(twin["$metadata"]["$model"], DOOR_MODEL)
        self.assertEqual(headers["ETag"], twin["$etag"])

    def test_requests_without_api_version_are_served_and_other_versions_refused(self):
        self.assertEqual(self.request("GET", "/digitaltwins/Room1")[0], 200)
        status, _, body = self.request("GET", "/digitaltwins/Room1?api-version=1999-01-01")
        self.assertEqual(status, 400)
        self.assertEqual(body["error"]["code"], "InvalidArgument")
        self.assertIn("1999-01-01", body["error"]["message"])

    def test_ids_are_decoded_segment_by_segment(self):
        quoted = urllib.parse.quote("door a/b?c#d;e", safe="")
        status, _, twin = self.request("GET", "/digitaltwins/" + quoted)
        self.assertEqual(status, 200)
        self.assertEqual(twin["$dtId"], "door a/b?c#d;e")

    def test_unknown_ids_get_the_codes_of_azure_digital_twins(self):
        status, _, body = self.request("GET", "/digitaltwins/nope")
        self.assertEqual((status, body["error"]["code"]), (404, "DigitalTwinNotFound"))
        self.assertIn("nope", body["error"]["message"])
        status, _, body = self.request("GET", "/digitaltwins/Door/relationships/nope")
        self.assertEqual((status, body["error"]["code"]), (404, "RelationshipNotFound"))
        status, _, body = self.request("GET", "/models/" + urllib.parse.quote("dtmi:x:Nope;1", safe=""))
        self.assertEqual((status, body["error"]["code"]), (404, "ModelNotFound"))
        status, _, body = self.request("GET", "/digitaltwins/Door/components/nope")
        self.assertEqual((status, body["error"]["code"]), (404, "ComponentNotFound"))

    def test_relationships_outgoing_by_name_and_incoming(self):
        status, _, page = self.request("GET", "/digitaltwins/Door/relationships")
        self.assertEqual(status, 200)
        self.assertEqual(sorted(r["$targetId"] for r in page["value"]), ["Room1", "Room2"])
        self.assertIsNone(page["nextLink"])
        rel = page["value"][0]
        status, headers, one = self.request(
            "GET", "/digitaltwins/Door/relationships/" + urllib.parse.quote(rel["$relationshipId"], safe=""))
        self.assertEqual((status, one), (200, rel))
        self.assertEqual(headers["ETag"], rel["$etag"])
        _, _, none = self.request("GET", "/digitaltwins/Door/relationships?relationshipName=nothing")
        self.assertEqual(none["value"], [])
        _, _, incoming = self.request("GET", "/digitaltwins/Room1/incomingrelationships")
        self.assertEqual([r["$sourceId"] for r in incoming["value"]], ["Door"])
        self.assertTrue(incoming["value"][0]["$relationshipLink"].startswith("/digitaltwins/Door/relationships/"))

    def test_models_as_model_data_with_and_without_definition(self):
        status, _, page = self.request("GET", "/models?includeModelDefinition=false")
        self.assertEqual(status, 200)
        ids = sorted(m["id"] for m in page["value"])
        self.assertIn(DOOR_MODEL, ids)
        self.assertTrue(all("model" not in m for m in page["value"]))
        status, _, model = self.request("GET", "/models/" + urllib.parse.quote(DOOR_MODEL, safe="") +
                                        "?includeModelDefinition=true")
        self.assertEqual(status, 200)
        self.assertEqual(model["displayName"], {"en": "Door"})
        self.assertEqual(model["model"]["@id"], DOOR_MODEL)
        self.assertFalse(model["decommissioned"])

    def test_health_and_readiness(self):
        self.assertEqual(self.request("GET", "/healthz")[0], 200)
        status, _, ready = self.request("GET", "/readyz")
        self.assertEqual((status, ready["mqtt"]), (503, "disconnected"))  # no broker in this test


class Writes(ApiServer):
    ROOM = "dtmi:dtwin:example:Room;1"

    def cli(self, *args):
        return self.case.ok(*args)

    def patch(self, twin, operations, etag=None):
        headers = {"Content-Type": "application/json-patch+json"}
        if etag:
            headers["If-Match"] = etag
        return self.request("PATCH", "/digitaltwins/" + twin, body=json.dumps(operations), headers=headers)

    def test_put_creates_then_if_none_match_refuses_and_the_store_has_it_when_answered(self):
        body = json.dumps({"$metadata": {"$model": self.ROOM}, "co2": 450.0})
        status, headers, twin = self.request("PUT", "/digitaltwins/Lab", body=body,
                                             headers={"Content-Type": "application/json"})
        self.assertEqual(status, 200, twin)
        self.assertEqual((twin["$dtId"], twin["co2"]), ("Lab", 450.0))
        self.assertEqual(headers["ETag"], twin["$etag"])
        # Answered after the commit: a separate process reading the store sees it now.
        self.assertEqual(self.cli("twin", "get", "Lab", "--json").json()["co2"], 450.0)
        status, _, error = self.request("PUT", "/digitaltwins/Lab", body=body,
                                        headers={"Content-Type": "application/json", "If-None-Match": "*"})
        self.assertEqual((status, error["error"]["code"]), (412, "PreconditionFailed"))
        status, _, error = self.request("PUT", "/digitaltwins/Lab", body=body, headers={"If-None-Match": "abc"})
        self.assertEqual((status, error["error"]["code"]), (400, "InvalidArgument"))

    def test_patch_with_if_match_then_a_stale_etag_gets_412(self):
        _, headers, _ = self.request("GET", "/digitaltwins/Room2")
        etag = headers["ETag"]
        status, patched, body = self.patch("Room2", [{"op": "add", "path": "/co2", "value": 612.5}], etag)
        self.assertEqual(status, 204, body)
        self.assertNotEqual(patched["ETag"], etag)
        self.assertEqual(self.request("GET", "/digitaltwins/Room2")[2]["co2"], 612.5)
        self.assertEqual(self.cli("twin", "get", "Room2", "--json").json()["co2"], 612.5)
        status, _, error = self.patch("Room2", [{"op": "replace", "path": "/co2", "value": 1.0}], etag)
        self.assertEqual((status, error["error"]["code"]), (412, "PreconditionFailed"))
        self.assertEqual(self.request("GET", "/digitaltwins/Room2")[2]["co2"], 612.5)

    def test_bad_writes_are_refused_with_their_codes_and_change_nothing(self):
        before = self.request("GET", "/digitaltwins/Room1")[2]
        cases = [
            ([{"op": "replace", "path": "/nothing", "value": 1}], None, 400, "JsonPatchInvalid"),
            ([{"op": "add", "path": "/co2", "value": "lots"}], None, 400, "ValidationFailed"),
            ([{"op": "add", "path": "/co2", "value": 1}], "XXX", 400, "InvalidArgument"),
        ]
        for operations, etag, status, code in cases:
            got, _, error = self.patch("Room1", operations, etag)
            self.assertEqual((got, error["error"]["code"]), (status, code), operations)
            self.assertTrue(error["error"]["message"])
        got, _, error = self.request("PATCH", "/digitaltwins/Room1", body="[{not json",
                                     headers={"Content-Type": "application/json-patch+json"})
        self.assertEqual((got, error["error"]["code"]), (400, "InvalidArgument"))
        got, _, error = self.patch("Nobody", [{"op": "add", "path": "/co2", "value": 1}])
        self.assertEqual((got, error["error"]["code"]), (404, "DigitalTwinNotFound"))
        self.assertEqual(self.request("GET", "/digitaltwins/Room1")[2], before)

    def test_relationships_and_deletes(self):
        body = json.dumps({"$metadata": {"$model": self.ROOM}})
        self.assertEqual(self.request("PUT", "/digitaltwins/Hall", body=body)[0], 200)
        door = json.dumps({"$metadata": {"$model": DOOR_MODEL}})
        self.assertEqual(self.request("PUT", "/digitaltwins/Door2", body=door)[0], 200)
        rel = {"$relationshipName": "connects", "$targetId": "Hall"}
        status, _, error = self.request("PUT", "/digitaltwins/Door2/relationships/to-nowhere",
                                        body=json.dumps({"$relationshipName": "connects", "$targetId": "Nowhere"}))
        self.assertEqual((status, error["error"]["code"]), (404, "TargetDigitalTwinNotFound"))
        status, headers, stored = self.request("PUT", "/digitaltwins/Door2/relationships/to-hall", body=json.dumps(rel))
        self.assertEqual(status, 200, stored)
        self.assertEqual((stored["$sourceId"], stored["$targetId"]), ("Door2", "Hall"))
        self.assertEqual(headers["ETag"], stored["$etag"])
        status, _, error = self.request("PUT", "/digitaltwins/Door2/relationships/to-hall", body=json.dumps(rel),
                                        headers={"If-None-Match": "*"})
        self.assertEqual((status, error["error"]["code"]), (412, "PreconditionFailed"))
        status, _, error = self.request("DELETE", "/digitaltwins/Hall")
        self.assertEqual((status, error["error"]["code"]), (400, "RelationshipsNotDeleted"))
        self.assertEqual(self.request("DELETE", "/digitaltwins/Door2/relationships/to-hall")[0], 204)
        status, _, error = self.request("DELETE", "/digitaltwins/Door2/relationships/to-hall")
        self.assertEqual((status, error["error"]["code"]), (404, "RelationshipNotFound"))
        self.assertEqual(self.request("DELETE", "/digitaltwins/Hall")[0], 204)
        self.assertEqual(self.request("GET", "/digitaltwins/Hall")[0], 404)
        self.assertEqual(self.case.dtwin("twin", "get", "Hall").code, 1)


class HistoryAndMetrics(ApiServer):
    def test_history_raw_and_downsampled_to_the_points_asked(self):
        values = [500.0, 520.0, 480.0, 610.0, 590.0]
        for value in values:
            body = json.dumps([{"op": "add", "path": "/co2", "value": value}])
            self.assertEqual(self.request("PATCH", "/digitaltwins/Room1", body=body)[0], 204)
        now = time.time()
        window = "from=%s&to=%s" % (time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(now - 60)),
                                    time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(now + 60)))
        status, _, raw = self.request("GET", "/dtwin/history/Room1/co2?" + window)
        self.assertEqual(status, 200, raw)
        self.assertEqual([s["value"] for s in raw["samples"]][-5:], values)
        status, _, one = self.request("GET", "/dtwin/history/Room1/co2?points=1&" + window)
        self.assertEqual(status, 200, one)
        self.assertEqual(len(one["buckets"]), 1)
        bucket = one["buckets"][0]
        self.assertEqual((bucket["count"], bucket["min"], bucket["max"], bucket["last"]), (5, 480.0, 610.0, 590.0))
        status, _, error = self.request("GET", "/dtwin/history/Room1/co2?from=yesterday")
        self.assertEqual((status, error["error"]["code"]), (400, "InvalidArgument"))
        self.assertIn("from", error["error"]["message"])
        status, _, error = self.request("GET", "/dtwin/history/Room1/co2?points=10")
        self.assertEqual(status, 400)

    def test_metrics_in_prometheus_text(self):
        connection = http.client.HTTPSConnection("127.0.0.1", self.port, context=self.tls, timeout=10)
        connection.request("GET", "/metrics")
        response = connection.getresponse()
        text = response.read().decode()
        connection.close()
        self.assertEqual(response.status, 200)
        self.assertTrue(response.getheader("Content-Type").startswith("text/plain"))
        lines = dict(line.rsplit(" ", 1) for line in text.splitlines() if line and not line.startswith("#"))
        self.assertGreaterEqual(int(lines["dtwin_twins"]), 3)
        self.assertGreaterEqual(int(lines["dtwin_http_connections"]), 1)
        self.assertIn("# TYPE dtwin_commits_total counter", text)


class IdleConnections(ApiServer):
    def test_a_thousand_idle_connections_do_not_stop_others_being_served(self):
        import resource
        soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        if hard != resource.RLIM_INFINITY and hard < 1200:
            self.skipTest("the open-file limit (%d) is too low to hold 1,000 connections" % hard)
        resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, min(hard, 4096)), hard))
        idle = []
        try:
            for _ in range(1000):
                idle.append(socket.create_connection(("127.0.0.1", self.port), timeout=10))
            started = time.time()
            status, _, twin = self.request("GET", "/digitaltwins/Door")
            self.assertEqual((status, twin["$dtId"]), (200, "Door"))
            self.assertLess(time.time() - started, 2)
            body = json.dumps([{"op": "add", "path": "/angle", "value": 33.0}])
            self.assertEqual(self.request("PATCH", "/digitaltwins/Door", body=body)[0], 204)
        finally:
            for connection in idle:
                connection.close()


class Alerts(ApiServer):
    extra = ["--config", os.path.join(EXAMPLE_DIR, "dtwin.toml"), "--set", "notify.smtp.url="]

    def test_a_slam_written_through_the_api_alerts_and_is_acknowledged_there(self):
        slam = json.dumps([{"op": "add", "path": "/gyro", "value": 80.0}])
        self.assertEqual(self.request("PATCH", "/digitaltwins/Door", body=slam)[0], 204)
        status, _, alerts = self.request("GET", "/dtwin/alerts?twin=Door&state=firing")
        self.assertEqual(status, 200, alerts)
        slammed = [a for a in alerts["value"] if a["rule"] == "door-slammed"]
        self.assertEqual(len(slammed), 1, alerts)
        alert_id = slammed[0]["id"]
        self.assertEqual(slammed[0]["ack"], "none")
        quoted = urllib.parse.quote(alert_id, safe="")
        status, _, body = self.request("POST", "/dtwin/alerts/%s/ack" % quoted,
                                       body=json.dumps({"by": "ops", "comment": "checked the door"}))
        self.assertEqual((status, body["ack"]), (202, "ack requested"))
        status, _, error = self.request("POST", "/dtwin/alerts/%s/ack" % quoted)
        self.assertEqual((status, error["error"]["code"]), (409, "AlreadyAcknowledged"))
        deadline = time.time() + 5
        while time.time() < deadline:
            alert = [a for a in self.request("GET", "/dtwin/alerts?twin=Door")[2]["value"] if a["id"] == alert_id][0]
            if alert["ack"] == "acknowledged":
                break
            time.sleep(0.1)
        self.assertEqual(alert["ack"], "acknowledged")
        self.assertEqual(alert["acknowledgedBy"], "ops")
        status, _, error = self.request("POST", "/dtwin/alerts/nope/ack")
        self.assertEqual((status, error["error"]["code"]), (404, "AlertNotFound"))


class BadInput(ApiServer):
    extra = ["--set", "api.max_body_bytes=1000", "--set", "api.request_timeout_ms=1000"]

    def raw(self, data, read_timeout=5):
        """Sends raw bytes over TLS and returns what came back until the server closed."""
        with socket.create_connection(("127.0.0.1", self.port), timeout=read_timeout) as plain:
            with self.tls.wrap_socket(plain, server_hostname="127.0.0.1") as conn:
                conn.sendall(data)
                chunks = []
                try:
                    while True:
                        chunk = conn.recv(65536)
                        if not chunk:
                            break
                        chunks.append(chunk)
                except (socket.timeout, ssl.SSLError, ConnectionResetError):
                    pass
                return b"".join(chunks).decode(errors="replace")

    def test_bad_percent_encoding_is_a_clear_400(self):
        status, _, body = self.request("GET", "/digitaltwins/%ZZ")
        self.assertEqual((status, body["error"]["code"]), (400, "InvalidArgument"))
        self.assertIn("%ZZ", body["error"]["message"])

    def test_an_oversized_body_gets_413_and_the_server_goes_on(self):
        status, _, body = self.request("PUT", "/digitaltwins/big", body="x" * 5000,
                                       headers={"Content-Type": "application/json"})
        self.assertEqual((status, body["error"]["code"]), (413, "PayloadTooLarge"))
        self.assertEqual(self.request("GET", "/digitaltwins/Door")[0], 200)

    def test_a_header_flood_gets_431(self):
        headers = "".join("X-Flood-%d: %s\r\n" % (i, "y" * 100) for i in range(400))
        answer = self.raw(("GET /digitaltwins/Door HTTP/1.1\r\nHost: x\r\n" + headers + "\r\n").encode())
        self.assertIn(" 431 ", answer.splitlines()[0])

    def test_malformed_http_is_refused_with_400(self):
        answer = self.raw(b"THIS IS NOT HTTP\r\n\r\n")
        self.assertIn(" 400 ", answer.splitlines()[0])

    def test_a_client_sending_a_byte_a_second_is_cut_off_while_others_are_served(self):
        plain = socket.create_connection(("127.0.0.1", self.port), timeout=10)
        slow = self.tls.wrap_socket(plain, server_hostname="127.0.0.1")
        started = time.time()
        closed = False
        try:
            for byte in b"GET /digitaltwins/Door HTTP/1.1\r\n":
                slow.sendall(bytes([byte]))
                # Others are served meanwhile, promptly.
                t0 = time.time()
                self.assertEqual(self.request("GET", "/digitaltwins/Room1")[0], 200)
                self.assertLess(time.time() - t0, 2)
                time.sleep(0.3)
                if time.time() - started > 5:
                    break
        except (BrokenPipeError, ConnectionResetError, ssl.SSLError):
            closed = True
        if not closed:
            try:
                closed = slow.recv(100) == b""
            except (ConnectionResetError, ssl.SSLError, socket.timeout):
                closed = True
        slow.close()
        self.assertTrue(closed, "the slow client was not disconnected")
        self.assertLess(time.time() - started, 8)

    def test_plain_http_on_the_https_port_gets_no_answer(self):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
        with self.assertRaises((http.client.HTTPException, ConnectionError, OSError)):
            connection.request("GET", "/digitaltwins/Door")
            connection.getresponse().read()
        connection.close()
        self.assertEqual(self.request("GET", "/digitaltwins/Door")[0], 200)


READER = "r" * 20 + "-read-token"
WRITER = "w" * 20 + "-write-token"


class Tokens(ApiServer):
    tokens = "# API tokens\n%s read\n\n%s write\n" % (READER, WRITER)

    def bearer(self, token):
        return {"Authorization": "Bearer " + token}

    def test_no_or_wrong_token_is_401_with_www_authenticate(self):
        status, headers, body = self.request("GET", "/digitaltwins/Door")
        self.assertEqual((status, body["error"]["code"]), (401, "Unauthorized"))
        self.assertTrue(headers["WWW-Authenticate"].startswith("Bearer"))
        status, _, _ = self.request("GET", "/digitaltwins/Door", headers=self.bearer("x" * 30))
        self.assertEqual(status, 401)
        self.assertEqual(self.request("GET", "/healthz")[0], 200)  # probes need none

    def test_read_tokens_read_and_query_write_tokens_write(self):
        self.assertEqual(self.request("GET", "/digitaltwins/Door", headers=self.bearer(READER))[0], 200)
        status, _, _ = self.request("POST", "/query", body=json.dumps({"query": "SELECT COUNT() FROM DIGITALTWINS"}),
                                    headers=self.bearer(READER))
        self.assertEqual(status, 200)
        patch = json.dumps([{"op": "add", "path": "/co2", "value": 700}])
        status, _, body = self.request("PATCH", "/digitaltwins/Room1", body=patch, headers=self.bearer(READER))
        self.assertEqual((status, body["error"]["code"]), (403, "Forbidden"))
        self.assertEqual(self.request("PATCH", "/digitaltwins/Room1", body=patch, headers=self.bearer(WRITER))[0], 204)

    def test_sighup_rereads_the_file_and_tokens_never_reach_the_log(self):
        fresh = "n" * 24 + "-new"
        with open(self.token_file, "w") as f:
            f.write("%s write\n" % fresh)
        self.server.send_signal(signal.SIGHUP)
        deadline = time.time() + 10
        while time.time() < deadline and self.request("GET", "/digitaltwins/Door",
                                                      headers=self.bearer(fresh))[0] != 200:
            time.sleep(0.05)
        self.assertEqual(self.request("GET", "/digitaltwins/Door", headers=self.bearer(fresh))[0], 200)
        self.assertEqual(self.request("GET", "/digitaltwins/Door", headers=self.bearer(WRITER))[0], 401)
        # A file that does not parse keeps the tokens in force.
        with open(self.token_file, "w") as f:
            f.write("short read\n")
        self.server.send_signal(signal.SIGHUP)
        time.sleep(0.5)
        self.assertEqual(self.request("GET", "/digitaltwins/Door", headers=self.bearer(fresh))[0], 200)
        with open(os.path.join(self.case.tmp, "serve.log")) as f:
            log = f.read()
        for token in (READER, WRITER, fresh):
            self.assertNotIn(token, log)
        self.assertIn("not re-read", log)


class Configuration(DtwinTestCase):
    def test_listening_beyond_loopback_without_tokens_is_refused_naming_the_key(self):
        self.ok("model", "import", os.path.join(EXAMPLE_DIR, "models"))
        result = self.dtwin("--set", "api.listen=0.0.0.0:%d" % free_port(), "serve")
        self.assertEqual(result.code, 1, result)
        self.assertIn("api.listen", result.err)
        self.assertIn("loopback", result.err)

    def test_tokens_without_tls_beyond_loopback_are_refused(self):
        tokens = self.write("tokens", "%s write\n" % WRITER)
        result = self.dtwin("--set", "api.listen=0.0.0.0:%d" % free_port(), "--set", "api.token_file=" + tokens,
                            "serve")
        self.assertEqual(result.code, 1, result)
        self.assertIn("without TLS", result.err)

    def test_a_token_file_with_a_bad_line_names_the_line_not_the_token(self):
        tokens = self.write("tokens", "# ok\nsecret12 write\n")
        result = self.dtwin("--set", "api.listen=127.0.0.1:%d" % free_port(), "--set", "api.token_file=" + tokens,
                            "serve")
        self.assertEqual(result.code, 1, result)
        self.assertIn("tokens:2", result.err)
        self.assertNotIn("secret12", result.err)

    def test_a_certificate_without_its_key_is_refused(self):
        result = self.dtwin("--set", "api.listen=127.0.0.1:%d" % free_port(), "--set", "api.tls_cert=/nope.pem",
                            "serve")
        self.assertEqual(result.code, 1, result)
        self.assertIn("api.tls_key", result.err)

    def test_a_port_in_use_is_reported(self):
        with socket.socket() as taken:
            taken.bind(("127.0.0.1", 0))
            taken.listen(1)
            port = taken.getsockname()[1]
            result = self.dtwin("--set", "api.listen=127.0.0.1:%d" % port, "--set",
                                "mqtt.url=mqtt://127.0.0.1:%d" % free_port(), "serve")
        self.assertEqual(result.code, 1, result)
        self.assertIn("cannot listen on 127.0.0.1:%d" % port, result.err)


if __name__ == "__main__":
    unittest.main()
