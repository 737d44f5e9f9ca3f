# The hand-written part of python/datalake_monitoring.py: `monitor export python` (lib/export/python.ts)
# writes the catalog's names and the configuration's limits above it. Not importable alone.


class MetricError(ValueError):
    """A metric, dimension or dimension value the catalog does not declare."""


class _Settings:
    region = None
    endpoint_url = None
    connect_timeout = CONNECT_TIMEOUT
    read_timeout = READ_TIMEOUT
    max_attempts = MAX_ATTEMPTS
    deadline_seconds = DEADLINE_SECONDS
    max_buffer_seconds = 60.0
    client = None


def configure(
    *,
    region=None,
    endpoint_url=None,
    connect_timeout=None,
    read_timeout=None,
    max_attempts=None,
    deadline_seconds=None,
    max_buffer_seconds=None,
    client=None,
):
    """Change how datums are sent (every argument optional; None keeps the current value).

    region, endpoint_url: for the boto3 CloudWatch client (default: boto3's own chain).
    connect_timeout, read_timeout: seconds per attempt (default: the configuration's `network`).
    max_attempts: attempts per request, the first included (default MAX_ATTEMPTS).
    deadline_seconds: the longest one send may take, retries included (default DEADLINE_SECONDS,
        what `monitor time` waits); past it the datums are given up with a warning and your code
        carries on.
    max_buffer_seconds: a put_metric older than this is sent with the next one (default 60).
    client: a ready boto3 CloudWatch client to use instead.
    """
    with _PUBLISHER.lock:
        for key, value in (
            ("region", region),
            ("endpoint_url", endpoint_url),
            ("connect_timeout", connect_timeout),
            ("read_timeout", read_timeout),
            ("max_attempts", max_attempts),
            ("deadline_seconds", deadline_seconds),
            ("max_buffer_seconds", max_buffer_seconds),
            ("client", client),
        ):
            if value is not None:
                setattr(_Settings, key, value)
        _PUBLISHER.client = None


def _suggest(name, names):
    close = difflib.get_close_matches(name, list(names), n=1)
    return f" Did you mean {close[0]}?" if close else ""


def _check_declared(name, dimensions):
    """The catalog's entry of a pushed metric; MetricError when the name or a dimension is not declared."""
    spec = METRICS.get(name)
    if spec is None:
        if name in OWNED_METRICS:
            raise MetricError(f"{name} is sent by {OWNED_METRICS[name]}; the pipeline does not push it.")
        raise MetricError(
            f"metric {name!r} is not in the catalog.{_suggest(name, METRICS)} "
            f"The pipeline pushes: {', '.join(METRICS)}."
        )
    declared = spec["dimensions"]
    missing = [d for d in declared if d not in dimensions]
    extra = [d for d in dimensions if d not in declared]
    if missing or extra:
        expected = ", ".join(f"{d}=" + ("|".join(repr(v) for v in spec["values"][d]) if d in spec["values"] else "...") for d in declared) or "no dimensions"
        detail = "".join(
            [
                f"; not declared: {', '.join(extra)}" if extra else "",
                f"; missing: {', '.join(missing)}" if missing else "",
            ]
        )
        raise MetricError(f"{name} takes {expected}{detail}.")
    for key in declared:
        value = dimensions[key]
        allowed = spec["values"].get(key)
        if not isinstance(value, str) or not value or len(value) > MAX_DIMENSION_VALUE:
            raise MetricError(f"dimension {key} of {name} must be a non-empty string of at most {MAX_DIMENSION_VALUE} characters, got {value!r}.")
        if allowed is not None and value not in allowed:
            raise MetricError(f"dimension {key} of {name} must be {' or '.join(repr(v) for v in allowed)}, got {value!r}.")
    return spec


def _rejection(name, value, timestamp, now):
    """Why CloudWatch would reject this value or timestamp, or None."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return f"value of {name} must be a number, got {value!r}"
    if not math.isfinite(value):
        return f"value of {name} is {value!r}"
    if value != 0 and not (MIN_MAGNITUDE <= abs(value) <= MAX_MAGNITUDE):
        return f"value {value!r} of {name} is outside CloudWatch's range"
    if now - timestamp > MAX_AGE:
        return f"timestamp {timestamp.isoformat()} of {name} is more than 14 days old"
    if timestamp - now > MAX_FUTURE:
        return f"timestamp {timestamp.isoformat()} of {name} is more than 2 hours in the future"
    return None


def put_metric(name, value, *, timestamp=None, **dimensions):
    """Queue one datum of a metric the pipeline pushes, e.g. put_metric("S3UploadFailures", 2).

    Dimensions are keyword arguments and must be exactly the declared ones (METRICS), with an
    allowed value where the catalog lists them; otherwise MetricError. timestamp: a datetime
    (naive = local time), default now. Returns True when queued, False when the value or the
    timestamp was refused (logged).
    """
    spec = _check_declared(name, dimensions)
    now = datetime.now(timezone.utc)
    when = now if timestamp is None else timestamp.astimezone(timezone.utc)
    problem = _rejection(name, value, when, now)
    if problem:
        LOGGER.error("datalake_monitoring: not sent: %s", problem)
        return False
    datum = {"MetricName": name, "Value": float(value), "Unit": spec["unit"], "Timestamp": when}
    if spec["dimensions"]:
        datum["Dimensions"] = [{"Name": d, "Value": dimensions[d]} for d in spec["dimensions"]]
    _PUBLISHER.add(spec["namespace"], datum)
    return True


def flush():
    """Send every queued datum now. Returns how many CloudWatch accepted; never raises."""
    return _PUBLISHER.flush()


class _Publisher:
    def __init__(self):
        self.lock = threading.RLock()
        self.buffer = {}
        self.first_queued = None
        self.client = None

    def add(self, namespace, datum):
        with self.lock:
            self.buffer.setdefault(namespace, []).append(datum)
            if self.first_queued is None:
                self.first_queued = time.monotonic()
            full = len(self.buffer[namespace]) >= MAX_DATUMS_PER_REQUEST
            old = time.monotonic() - self.first_queued >= _Settings.max_buffer_seconds
        if full or old:
            self.flush()

    def flush(self):
        with self.lock:
            pending, self.buffer, self.first_queued = self.buffer, {}, None
        sent = 0
        for namespace, datums in pending.items():
            for start in range(0, len(datums), MAX_DATUMS_PER_REQUEST):
                sent += self._send(namespace, datums[start : start + MAX_DATUMS_PER_REQUEST])
        return sent

    def _cloudwatch(self):
        if _Settings.client is not None:
            return _Settings.client
        if self.client is None:
            import boto3
            from botocore.config import Config

            config = Config(
                connect_timeout=_Settings.connect_timeout,
                read_timeout=_Settings.read_timeout,
                retries={"total_max_attempts": _Settings.max_attempts, "mode": "standard"},
            )
            self.client = boto3.client("cloudwatch", region_name=_Settings.region, endpoint_url=_Settings.endpoint_url, config=config)
        return self.client

    def _send(self, namespace, datums):
        """One PutMetricData request within the deadline; a warning instead of an exception."""
        names = ", ".join(sorted({d["MetricName"] for d in datums}))
        what = f"{len(datums)} datum(s) of {namespace} ({names})"
        outcome = {}

        def call():
            try:
                self._cloudwatch().put_metric_data(Namespace=namespace, MetricData=datums)
                outcome["ok"] = True
            except BaseException as err:  # noqa: BLE001 - reported below, never raised into the caller
                outcome["error"] = err

        worker = threading.Thread(target=call, name="datalake_monitoring-send", daemon=True)
        worker.start()
        worker.join(_Settings.deadline_seconds)
        if worker.is_alive():
            LOGGER.warning("datalake_monitoring: %s not published: CloudWatch did not answer within %ss", what, _Settings.deadline_seconds)
            return 0
        if "error" in outcome:
            err = outcome["error"]
            LOGGER.warning("datalake_monitoring: %s not published: %s: %s", what, type(err).__name__, err)
            return 0
        return len(datums)


_PUBLISHER = _Publisher()
atexit.register(_PUBLISHER.flush)


class profile_performance:  # noqa: N801 - used like a function: @profile_performance("Op")
    """Time an operation: a decorator (functions and coroutines) or a context manager.

    Publishes <operation>Duration in seconds with Status=success when the code returns and
    Status=failure when it raises (also KeyboardInterrupt, and SystemExit with a non-zero code);
    the exception always propagates. The datum is sent when the operation ends, with whatever
    put_metric queued before it. An operation that is not in OPERATIONS raises MetricError here.
    """

    def __init__(self, operation):
        if operation not in OPERATIONS:
            raise MetricError(
                f"operation {operation!r} is not in pipelineOperations.{_suggest(operation, OPERATIONS)} "
                f"Configured: {', '.join(OPERATIONS) or '(none)'}."
            )
        self.operation = operation
        self.metric = OPERATIONS[operation]
        self._starts = threading.local()

    def __enter__(self):
        stack = getattr(self._starts, "stack", None)
        if stack is None:
            stack = self._starts.stack = []
        stack.append(time.monotonic())
        return self

    def __exit__(self, exc_type, exc, tb):
        started = self._starts.stack.pop()
        self._record(started, _status_of(exc_type, exc))
        return False

    def __call__(self, fn):
        if inspect.iscoroutinefunction(fn):

            @functools.wraps(fn)
            async def timed_async(*args, **kwargs):
                with self:
                    return await fn(*args, **kwargs)

            return timed_async

        @functools.wraps(fn)
        def timed(*args, **kwargs):
            with self:
                return fn(*args, **kwargs)

        return timed

    def _record(self, started, status):
        try:
            seconds = round(time.monotonic() - started, 3)
            put_metric(self.metric, seconds, **{STATUS_DIMENSION: status})
            flush()
        except Exception as err:  # noqa: BLE001 - the operation's own outcome matters more than its metric
            LOGGER.warning("datalake_monitoring: %s was not published: %s", self.metric, err)


def _status_of(exc_type, exc):
    if exc_type is None:
        return STATUS_SUCCESS
    if issubclass(exc_type, SystemExit) and exc.code in (0, None):
        return STATUS_SUCCESS
    return STATUS_FAILURE
