"""Tests of the generated datalake_monitoring module against a fake CloudWatch on loopback.

Run by `npm test` (test/python-module.test.ts), or by hand:
    cd python && python3 -m unittest -v test_datalake_monitoring
The fake speaks both wire protocols botocore uses for CloudWatch: AWS Query (form-encoded,
botocore before 1.42.7, e.g. Debian's python3-boto3) and AWS JSON 1.0 (later botocore).
DLM_EXPECT (JSON) names what the catalog says the module must send; DLM_MODULE_DIR points at
another generated module.
"""

import asyncio
import gzip
import importlib
import json
import os
import sys
import threading
import time
import unittest
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

sys.path.insert(0, os.environ.get("DLM_MODULE_DIR") or os.path.dirname(os.path.abspath(__file__)))
for key, value in {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_CONFIG_FILE": os.devnull,
    "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
    "AWS_EC2_METADATA_DISABLED": "true",
}.items():
    os.environ[key] = value
os.environ.pop("AWS_PROFILE", None)

dlm = importlib.import_module("datalake_monitoring")

EXPECT = json.loads(os.environ.get("DLM_EXPECT") or "null") or {
    "operation": "DataExtraction",
    "durationNamespace": "NBA-Simulator/Performance",
    "pushed": {"name": "S3UploadFailures", "namespace": "NBA-Simulator/DataCollection", "unit": "Count"},
    "undeclared": "S3UploadFailure",
    "owned": "S3ObjectCount",
}


class FakeCloudWatch:
    """PutMetricData on 127.0.0.1: records requests; mode "ok", "error" (HTTP 500) or "hang" (never answers)."""

    def __init__(self, mode="ok"):
        self.mode = mode
        self.requests = []
        self.release = threading.Event()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                if self.headers.get("Content-Encoding") == "gzip":
                    body = gzip.decompress(body)
                if fake.mode == "hang":
                    fake.release.wait(60)
                    return
                json_protocol = "x-amz-json" in (self.headers.get("Content-Type") or "")
                if fake.mode == "error":
                    self.reply(500, json_protocol, '{"__type":"InternalServiceFault","message":"boom"}', "<ErrorResponse><Error><Type>Receiver</Type><Code>InternalServiceError</Code><Message>boom</Message></Error></ErrorResponse>")
                    return
                if json_protocol:
                    operation = (self.headers.get("X-Amz-Target") or "").split(".")[-1]
                    request = json.loads(body)
                    datums = request.get("MetricData", [])
                else:
                    form = {k: v[0] for k, v in parse_qs(body.decode()).items()}
                    operation = form.get("Action")
                    request = {"Namespace": form.get("Namespace")}
                    datums = query_datums(form)
                if operation != "PutMetricData":
                    self.reply(400, json_protocol, '{"__type":"InvalidAction"}', "<ErrorResponse><Error><Code>InvalidAction</Code></Error></ErrorResponse>")
                    return
                fake.requests.append({"namespace": request["Namespace"], "datums": datums, "protocol": "json" if json_protocol else "query"})
                self.reply(200, json_protocol, "{}", '<PutMetricDataResponse xmlns="http://monitoring.amazonaws.com/doc/2010-08-01/"><ResponseMetadata><RequestId>1</RequestId></ResponseMetadata></PutMetricDataResponse>')

            def reply(self, status, json_protocol, json_body, xml_body):
                data = (json_body if json_protocol else xml_body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/x-amz-json-1.0" if json_protocol else "text/xml")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.endpoint = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()

    def datums(self):
        return [dict(d, Namespace=r["namespace"]) for r in self.requests for d in r["datums"]]

    def stop(self):
        self.release.set()
        self.server.shutdown()
        self.server.server_close()


def query_datums(form):
    """MetricData.member.N.* of an AWS Query request, as the JSON protocol would carry them."""
    datums = {}
    for key, value in form.items():
        parts = key.split(".")
        if parts[:2] != ["MetricData", "member"]:
            continue
        datum = datums.setdefault(int(parts[2]), {})
        if parts[3] == "Dimensions":
            dims = datum.setdefault("Dimensions", {})
            dims.setdefault(int(parts[5]), {})[parts[6]] = value
        else:
            datum[parts[3]] = float(value) if parts[3] == "Value" else value
    out = []
    for _, datum in sorted(datums.items()):
        if "Dimensions" in datum:
            datum["Dimensions"] = [d for _, d in sorted(datum["Dimensions"].items())]
        out.append(datum)
    return out


class Base(unittest.TestCase):
    mode = "ok"

    def setUp(self):
        self.cloudwatch = FakeCloudWatch(self.mode)
        dlm.configure(endpoint_url=self.cloudwatch.endpoint, region="us-east-1", connect_timeout=2, read_timeout=5, max_attempts=2, deadline_seconds=10)

    def tearDown(self):
        dlm._PUBLISHER.buffer.clear()
        self.cloudwatch.stop()


class ProfilePerformance(Base):
    def duration(self, status):
        op = EXPECT["operation"]
        return {"Namespace": EXPECT["durationNamespace"], "MetricName": f"{op}Duration", "Unit": "Seconds", "Dimensions": [{"Name": "Status", "Value": status}]}

    def only_datum(self):
        datums = self.cloudwatch.datums()
        self.assertEqual(len(datums), 1, datums)
        return datums[0]

    def test_decorator_publishes_success_and_returns_the_result(self):
        @dlm.profile_performance(EXPECT["operation"])
        def job(x):
            time.sleep(0.05)
            return x * 2

        self.assertEqual(job(21), 42)
        datum = self.only_datum()
        self.assertEqual({k: datum[k] for k in ("Namespace", "MetricName", "Unit", "Dimensions")}, self.duration("success"))
        self.assertGreaterEqual(float(datum["Value"]), 0.05)
        self.assertEqual(job.__name__, "job")

    def test_decorator_publishes_failure_and_reraises_the_same_exception(self):
        boom = RuntimeError("scraper broke")

        @dlm.profile_performance(EXPECT["operation"])
        def job():
            raise boom

        with self.assertRaises(RuntimeError) as raised:
            job()
        self.assertIs(raised.exception, boom)
        datum = self.only_datum()
        self.assertEqual(datum["Dimensions"], self.duration("failure")["Dimensions"])
        self.assertEqual(datum["MetricName"], f"{EXPECT['operation']}Duration")

    def test_context_manager_publishes_success_and_failure(self):
        with dlm.profile_performance(EXPECT["operation"]):
            pass
        with self.assertRaises(KeyError):
            with dlm.profile_performance(EXPECT["operation"]):
                raise KeyError("missing")
        self.assertEqual([d["Dimensions"][0]["Value"] for d in self.cloudwatch.datums()], ["success", "failure"])

    def test_coroutines_and_sys_exit(self):
        @dlm.profile_performance(EXPECT["operation"])
        async def job():
            await asyncio.sleep(0)
            return "done"

        self.assertEqual(asyncio.run(job()), "done")
        with self.assertRaises(SystemExit):
            with dlm.profile_performance(EXPECT["operation"]):
                sys.exit(3)
        self.assertEqual([d["Dimensions"][0]["Value"] for d in self.cloudwatch.datums()], ["success", "failure"])

    def test_refuses_an_operation_that_is_not_configured(self):
        with self.assertRaises(dlm.MetricError) as raised:
            dlm.profile_performance(EXPECT["operation"] + "x")
        self.assertIn("not in pipelineOperations", str(raised.exception))
        self.assertEqual(self.cloudwatch.requests, [])


class PutMetric(Base):
    def test_sends_a_declared_metric_with_its_namespace_and_unit(self):
        pushed = EXPECT["pushed"]
        self.assertTrue(dlm.put_metric(pushed["name"], 3))
        self.assertEqual(self.cloudwatch.requests, [], "queued, not sent yet")
        self.assertEqual(dlm.flush(), 1)
        datum = self.cloudwatch.datums()[0]
        self.assertEqual((datum["Namespace"], datum["MetricName"], datum["Unit"], float(datum["Value"])), (pushed["namespace"], pushed["name"], pushed["unit"], 3.0))
        self.assertNotIn("Dimensions", datum)

    def test_refuses_an_undeclared_name_a_publisher_metric_and_wrong_dimensions(self):
        pushed = EXPECT["pushed"]["name"]
        op = f"{EXPECT['operation']}Duration"
        cases = [
            ((EXPECT["undeclared"], 1), {}, "not in the catalog. Did you mean"),
            ((EXPECT["owned"], 1), {}, "publisher"),
            ((pushed, 1), {"Bucket": "x"}, "not declared: Bucket"),
            ((op, 1), {}, "missing: Status"),
            ((op, 1), {"Status": "ok"}, "must be 'success' or 'failure'"),
        ]
        for args, dims, message in cases:
            with self.subTest(args=args, dims=dims):
                with self.assertRaises(dlm.MetricError) as raised:
                    dlm.put_metric(*args, **dims)
                self.assertIn(message, str(raised.exception))
        self.assertEqual(dlm.flush(), 0)
        self.assertEqual(self.cloudwatch.requests, [])

    def test_drops_a_value_cloudwatch_would_reject_with_a_log_line(self):
        with self.assertLogs("datalake_monitoring", "ERROR") as logs:
            self.assertFalse(dlm.put_metric(EXPECT["pushed"]["name"], float("nan")))
            self.assertFalse(dlm.put_metric(EXPECT["pushed"]["name"], True))
        self.assertIn("is nan", logs.output[0])
        self.assertEqual(dlm.flush(), 0)

    def test_batches_up_to_the_request_limit_one_namespace_per_request(self):
        pushed = EXPECT["pushed"]["name"]
        for i in range(2 * dlm.MAX_DATUMS_PER_REQUEST + 5):
            dlm.put_metric(pushed, i)
        # Two full batches went out on their own; the rest waits for flush().
        self.assertEqual([len(r["datums"]) for r in self.cloudwatch.requests], [dlm.MAX_DATUMS_PER_REQUEST] * 2)
        dlm.put_metric(f"{EXPECT['operation']}Duration", 1.5, Status="success")
        self.assertEqual(dlm.flush(), 6)
        self.assertEqual(sorted(len(r["datums"]) for r in self.cloudwatch.requests[2:]), [1, 5])
        self.assertEqual(len({r["namespace"] for r in self.cloudwatch.requests[2:]}), 2)


class CloudWatchDown(Base):
    mode = "error"

    def test_never_raises_into_the_caller_and_warns(self):
        @dlm.profile_performance(EXPECT["operation"])
        def job():
            return "result"

        with self.assertLogs("datalake_monitoring", "WARNING") as logs:
            self.assertEqual(job(), "result")
        self.assertIn("not published", logs.output[-1])
        self.assertIn(f"{EXPECT['operation']}Duration", logs.output[-1])


class CloudWatchNeverAnswers(Base):
    mode = "hang"

    def test_returns_within_the_deadline(self):
        dlm.configure(read_timeout=60, max_attempts=1, deadline_seconds=1.5)

        @dlm.profile_performance(EXPECT["operation"])
        def job():
            return "result"

        started = time.monotonic()
        with self.assertLogs("datalake_monitoring", "WARNING") as logs:
            self.assertEqual(job(), "result")
        elapsed = time.monotonic() - started
        self.assertGreaterEqual(elapsed, 1.4)
        self.assertLess(elapsed, 1.5 + 3)
        self.assertIn("did not answer within 1.5s", logs.output[-1])

    def test_read_timeout_and_bounded_retries(self):
        dlm.configure(connect_timeout=1, read_timeout=0.5, max_attempts=2, deadline_seconds=30)
        dlm.put_metric(EXPECT["pushed"]["name"], 1)
        started = time.monotonic()
        with self.assertLogs("datalake_monitoring", "WARNING") as logs:
            self.assertEqual(dlm.flush(), 0)
        # Two attempts of 0.5 s plus backoff, far from the 30 s deadline.
        self.assertLess(time.monotonic() - started, 10)
        self.assertIn("not published", logs.output[-1])
        self.assertRegex(logs.output[-1], "(?i)timeout|timed out")


if __name__ == "__main__":
    unittest.main()
